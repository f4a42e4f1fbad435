package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.Decision.Proposal;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.policy.ScalingPolicy.PredictiveSpec;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The predictive policy: additive Holt-Winters (level, trend and a seasonal component per slot of the
 * season) on the app-wide total of a metric (the per-instance average times the instances reporting
 * it, or the app-wide value), forecast {@code horizonSeconds} ahead; it asks for
 * {@code ceil(forecast / target)} instances. The scaler only lets it raise the count above what the
 * reactive policies ask.
 *
 * <p>Samples arrive at evaluations and are averaged per slot: the season is cut into at most
 * {@link #MAX_SLOTS} slots, each at least one evaluation long (86,400 s at 15 s: 1,440 slots of 60 s).
 * A slot without samples is filled with the model's own one-step forecast. The first full season only
 * initialises the model (level: its mean, trend: 0, seasonal components: each slot's deviation from
 * it) and the policy abstains until then; a gap of a whole season starts learning again. The forecast
 * only uses closed slots, so the sample of this evaluation cannot change this evaluation's proposal.
 * Memory: two arrays of the slot count.
 *
 * <p><b>Ramp.</b> With {@code rampWindowSeconds > 0}, the samples of the last {@code rampWindowSeconds}
 * (at most {@link #MAX_RAMP_SAMPLES}) are kept as they came, this evaluation's included, and while their
 * least-squares slope is positive, and at least {@link #RAMP_SIGNIFICANCE} standard errors so, the
 * forecast is at least the latest sample plus the slope times {@code horizonSeconds}. Holt-Winters learns the daily shape but only from closed slots and so reacts a
 * slot late; the ramp catches a rise as it starts (a flash crowd, a match kicking off) so that instances
 * asked for now are ready for the load of when they are ready. It abstains on a flat or falling load
 * and with fewer than three samples, and needs no season of learning.
 *
 * <p>References: Holt (1957) and Winters (1960), additive seasonal form as in Hyndman and
 * Athanasopoulos, <i>Forecasting: Principles and Practice</i>, section 8.3.
 *
 * <p>Mutable; owned by one scaler and so by its caller's thread.
 */
final class Predictive {
  static final int MAX_SLOTS = 1440;
  static final int MAX_RAMP_SAMPLES = 1024;
  /**
   * The ramp counts only a slope at least this many standard errors above zero (the standard error from
   * the residuals of the fit): a rise, not traffic noise. 2 was chosen on the shipped traces; without the
   * test the ramp chased the wobbles of noisy traffic and cost 2-3% more instance-hours.
   */
  static final double RAMP_SIGNIFICANCE = 2;

  private final PredictiveSpec spec;
  private final int slots;
  private final double slotMillis;
  private final double[] warmup;
  private final double[] season;
  private int warmed;
  private boolean initialized;
  private double level;
  private double trend;
  private double lastValue = Double.NaN;
  private long openSlot = Long.MIN_VALUE;
  private double openSum;
  private int openCount;
  private final ArrayDeque<double[]> ramp = new ArrayDeque<>();

  Predictive(PredictiveSpec spec, int evaluationSeconds) {
    this.spec = spec;
    this.slots = Math.max(1, Math.min(MAX_SLOTS, spec.seasonSeconds() / evaluationSeconds));
    this.slotMillis = spec.seasonSeconds() * 1000.0 / slots;
    this.warmup = new double[slots];
    this.season = new double[slots];
  }

  /** Adds the sample of {@code observation} (if it has the metric) and closes the slots it ends. */
  void observe(Observation observation) {
    long slot = slotOf(observation.now());
    if (openSlot == Long.MIN_VALUE) {
      openSlot = slot;
    } else if (slot > openSlot) {
      if (slot - openSlot > slots) {
        restart();
      } else {
        for (long s = openSlot; s < slot; s++) {
          close(s);
        }
      }
      openSlot = slot;
    }
    double total = total(observation);
    if (!Double.isNaN(total)) {
      openSum += total;
      openCount++;
    }
    if (spec.rampWindowSeconds() > 0) {
      double seconds = observation.now().toEpochMilli() / 1000.0;
      while (!ramp.isEmpty() && (ramp.size() >= MAX_RAMP_SAMPLES
          || ramp.peekFirst()[0] <= seconds - spec.rampWindowSeconds())) {
        ramp.pollFirst();
      }
      if (!Double.isNaN(total)) {
        ramp.addLast(new double[] {seconds, total});
      }
    }
  }

  /**
   * The count the forecast asks for, or -1 while a season is still being learnt and the ramp (if any)
   * abstains.
   */
  Proposal propose(Observation observation) {
    String policy = "predictive " + spec.metric();
    double rising = rampForecast();
    if (!initialized && Double.isNaN(rising)) {
      return new Proposal(policy, -1, "learning: " + (100 * warmed / slots) + "% of a season");
    }
    double forecast = Double.NaN;
    if (initialized) {
      long target = slotOf(observation.now().plusSeconds(spec.horizonSeconds()));
      long ahead = Math.max(1, target - (openSlot - 1));
      forecast = Math.max(0, level + ahead * trend + season[index(target)]);
    }
    String source = "forecast ";
    if (!Double.isNaN(rising) && !(rising <= forecast)) {
      forecast = rising;
      source = "ramp forecast ";
    }
    int instances = TargetTracking.ceil(forecast / spec.target());
    return new Proposal(policy, instances, source + Format.num(forecast) + " in " + spec.horizonSeconds()
        + "s at " + Format.num(spec.target()) + " per instance: " + instances);
  }

  /** The latest sample plus the ramp's slope over the horizon, or NaN when the ramp abstains. */
  private double rampForecast() {
    int n = ramp.size();
    if (n < 3) {
      return Double.NaN;
    }
    double meanT = 0;
    double meanY = 0;
    for (double[] s : ramp) {
      meanT += s[0] / n;
      meanY += s[1] / n;
    }
    double sxy = 0;
    double sxx = 0;
    for (double[] s : ramp) {
      sxy += (s[0] - meanT) * (s[1] - meanY);
      sxx += (s[0] - meanT) * (s[0] - meanT);
    }
    double slope = sxx == 0 ? 0 : sxy / sxx;
    if (!(slope > 0)) {
      return Double.NaN;
    }
    double residuals = 0;
    for (double[] s : ramp) {
      double e = s[1] - (meanY + slope * (s[0] - meanT));
      residuals += e * e;
    }
    double standardError = Math.sqrt(residuals / (n - 2) / sxx);
    if (slope < RAMP_SIGNIFICANCE * standardError) {
      return Double.NaN; // a wobble, not a rise
    }
    return ramp.peekLast()[1] + slope * spec.horizonSeconds();
  }

  /** The app-wide total of the metric, NaN when missing. */
  private double total(Observation observation) {
    MetricValue value = observation.metric(spec.metric());
    if (value == null) {
      return Double.NaN;
    }
    if (value.instances() > 0) {
      return value.value() * value.instances();
    }
    return TargetTracking.PER_INSTANCE.contains(spec.metric()) ? Double.NaN : value.value();
  }

  private void close(long slot) {
    double y;
    if (openCount > 0 && slot == openSlot) {
      y = openSum / openCount;
    } else if (initialized) {
      y = level + trend + season[index(slot)];
    } else {
      y = lastValue;
    }
    openSum = 0;
    openCount = 0;
    if (Double.isNaN(y)) {
      return; // nothing seen yet: the season starts later
    }
    lastValue = y;
    int i = index(slot);
    if (!initialized) {
      warmup[i] = y;
      if (++warmed == slots) {
        double sum = 0;
        for (double v : warmup) {
          sum += v;
        }
        level = sum / slots;
        trend = 0;
        for (int j = 0; j < slots; j++) {
          season[j] = warmup[j] - level;
        }
        initialized = true;
      }
      return;
    }
    double previousLevel = level;
    double seasonal = season[i];
    level = spec.levelSmoothing() * (y - seasonal) + (1 - spec.levelSmoothing()) * (level + trend);
    trend = spec.trendSmoothing() * (level - previousLevel) + (1 - spec.trendSmoothing()) * trend;
    season[i] = spec.seasonSmoothing() * (y - level) + (1 - spec.seasonSmoothing()) * seasonal;
  }

  private void restart() {
    ramp.clear();
    initialized = false;
    warmed = 0;
    lastValue = Double.NaN;
    openSum = 0;
    openCount = 0;
  }

  private long slotOf(Instant at) {
    return (long) Math.floor(at.toEpochMilli() / slotMillis);
  }

  private int index(long slot) {
    return (int) Math.floorMod(slot, (long) slots);
  }

  /** Whether a full season has been learnt. */
  boolean ready() {
    return initialized;
  }
}
