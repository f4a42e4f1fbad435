package io.mezzo.autoscaler.sim;

import java.util.Random;

/**
 * The seeded synthetic trace generator behind {@link Trace#synthetic}: one sample a minute, the same
 * samples for the same seed and length. Stateless.
 *
 * <p>The rate at minute {@code m} is {@code BASE x daily x weekly x noise x spike}, at least 1 req/s:
 * <ul>
 *   <li>daily: {@code 0.25 + 0.75 x ((1 - cos(2 pi (h - 4) / 24)) / 2)^1.5} of the hour of day {@code h}:
 *       lowest at 04:00, highest at 16:00, with a long quiet night;</li>
 *   <li>weekly: days 5 and 6 of each week (the trace starts on a Monday) at 70%, with a three-hour ramp
 *       in and out;</li>
 *   <li>noise: multiplicative, {@code 1 + x} where {@code x} is an AR(1) process ({@code x' = 0.95 x +
 *       0.015 g}, standard deviation about 5%) plus 2% white noise, so that it wanders as real traffic
 *       does rather than jittering around the curve;</li>
 *   <li>spikes: one every three days on average (at least one), at a uniformly random minute: the rate
 *       multiplies by 2 to 4 within two minutes, holds 10 to 40 minutes, then decays exponentially with a
 *       15-minute time constant (a flash crowd).</li>
 * </ul>
 */
final class SyntheticTrace {
  static final double BASE = 400;

  private SyntheticTrace() {}

  static Trace generate(long seed, int days) {
    if (days < 1) {
      throw new IllegalArgumentException("days: " + days + " (expected: >= 1)");
    }
    Random random = new Random(seed);
    int minutes = days * 24 * 60;
    int spikeCount = Math.max(1, days / 3);
    int[] spikeStart = new int[spikeCount];
    int[] spikeHold = new int[spikeCount];
    double[] spikeHeight = new double[spikeCount];
    for (int s = 0; s < spikeCount; s++) {
      spikeStart[s] = random.nextInt(minutes);
      spikeHold[s] = 10 + random.nextInt(31);
      spikeHeight[s] = 2 + 2 * random.nextDouble();
    }
    double[] t = new double[minutes];
    double[] rps = new double[minutes];
    double ar = 0;
    for (int m = 0; m < minutes; m++) {
      double hour = (m / 60.0) % 24;
      double wave = (1 - Math.cos(2 * Math.PI * (hour - 4) / 24)) / 2;
      double daily = 0.25 + 0.75 * Math.pow(wave, 1.5);
      double weekly = weekly(m);
      ar = 0.95 * ar + 0.015 * random.nextGaussian();
      double noise = Math.max(0.5, 1 + ar + 0.02 * random.nextGaussian());
      double spike = 1;
      for (int s = 0; s < spikeCount; s++) {
        spike = Math.max(spike, spike(m - spikeStart[s], spikeHold[s], spikeHeight[s]));
      }
      t[m] = m * 60.0;
      rps[m] = Math.max(1, Math.round(BASE * daily * weekly * noise * spike * 1000) / 1000.0);
    }
    return Trace.of("synthetic-" + seed + "-" + days + "d", t, rps);
  }

  private static double weekly(int minute) {
    double dayOfWeek = (minute / 1440.0) % 7;
    double ramp = 3 / 24.0;
    double weekend;
    if (dayOfWeek < 5 - ramp) {
      weekend = 0;
    } else if (dayOfWeek < 5) {
      weekend = (dayOfWeek - (5 - ramp)) / ramp;
    } else if (dayOfWeek < 7 - ramp) {
      weekend = 1;
    } else {
      weekend = (7 - dayOfWeek) / ramp;
    }
    return 1 - 0.3 * weekend;
  }

  /** The spike's multiplier {@code sinceStart} minutes after it starts. */
  private static double spike(int sinceStart, int hold, double height) {
    if (sinceStart < 0) {
      return 1;
    }
    if (sinceStart < 2) {
      return 1 + (height - 1) * (sinceStart + 1) / 2.0;
    }
    if (sinceStart < 2 + hold) {
      return height;
    }
    return 1 + (height - 1) * Math.exp(-(sinceStart - 2 - hold) / 15.0);
  }
}
