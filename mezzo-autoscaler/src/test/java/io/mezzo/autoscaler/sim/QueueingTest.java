package io.mezzo.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The M/M/1 and M/M/k forms against closed forms, textbook values and a seeded event simulation; the instance model built on them. */
class QueueingTest {
  @Test
  void singleServerMatchesTheMm1ClosedForms() {
    double mu = 20;
    double lambda = 15;
    // M/M/1: the response time is exponential with rate mu - lambda
    assertThat(Queueing.erlangC(1, lambda / mu)).isCloseTo(lambda / mu, within(1e-12));
    assertThat(Queueing.responsePercentile(1, mu, lambda, 0.95)).isCloseTo(Math.log(20) / (mu - lambda), within(1e-9));
    assertThat(Queueing.meanResponse(1, mu, lambda)).isCloseTo(1 / (mu - lambda), within(1e-12));
    assertThat(Queueing.responseTail(1, mu, lambda, 0.3)).isCloseTo(Math.exp(-(mu - lambda) * 0.3), within(1e-12));
  }

  @Test
  void erlangCMatchesTextbookValues() {
    // M/M/2 at a = 1 (utilisation 0.5): P(wait) = 1/3; M/M/3 at a = 2: 4/9
    assertThat(Queueing.erlangC(2, 1)).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(Queueing.erlangC(3, 2)).isCloseTo(4.0 / 9, within(1e-12));
    assertThat(Queueing.erlangC(5, 0)).isZero();
    // large k stays finite (the recursion never forms a^k / k!)
    assertThat(Queueing.erlangC(500, 480)).isBetween(0.0, 1.0);
    assertThatThrownBy(() -> Queueing.erlangC(2, 2)).hasMessage("a: 2.0 (expected: 0 <= a < k 2)");
  }

  @Test
  void mmkMeanResponseIsServicePlusErlangCOverTheSpareRate() {
    // M/M/3, lambda 2, mu 1: E[T] = 1 + (4/9) / (3 - 2)
    assertThat(Queueing.meanResponse(3, 1, 2)).isCloseTo(1 + 4.0 / 9, within(1e-12));
  }

  @Test
  void mmkTailEqualsTheExactFormWhenTheSpareRateEqualsTheServiceRate() {
    // k = 2, mu = 1, lambda = 1: theta = k mu - lambda = mu; P(T > t) = (1 - C) e^-t + C (1 + t) e^-t
    double c = Queueing.erlangC(2, 1);
    double t = 1.7;
    assertThat(Queueing.responseTail(2, 1, 1, t))
        .isCloseTo((1 - c) * Math.exp(-t) + c * (1 + t) * Math.exp(-t), within(1e-9));
    assertThat(Queueing.responseTail(2, 1, 1, 0)).isCloseTo(1, within(1e-12));
  }

  @Test
  void mmkP95AgreesWithASeededEventSimulationOfTheQueue() {
    int k = 5;
    double mu = 20;
    double lambda = 90;
    double simulated = simulatedP95(k, mu, lambda, 400_000, new Random(11));
    assertThat(Queueing.responsePercentile(k, mu, lambda, 0.95)).isCloseTo(simulated, within(0.03 * simulated));
  }

  /** FCFS M/M/k by events: each arrival takes the server that frees first. */
  private static double simulatedP95(int k, double mu, double lambda, int customers, Random random) {
    PriorityQueue<Double> free = new PriorityQueue<>();
    for (int i = 0; i < k; i++) {
      free.add(0.0);
    }
    double arrival = 0;
    double[] response = new double[customers];
    for (int i = 0; i < customers; i++) {
      arrival += -Math.log(1 - random.nextDouble()) / lambda;
      double start = Math.max(arrival, free.poll());
      double done = start - Math.log(1 - random.nextDouble()) / mu;
      free.add(done);
      response[i] = done - arrival;
    }
    double[] steady = Arrays.copyOfRange(response, customers / 10, customers);
    Arrays.sort(steady);
    return steady[(int) (steady.length * 0.95)];
  }

  @Test
  void demandIsTheFewestInstancesWhoseP95MeetsTheSlo() {
    InstanceModel model = InstanceModel.defaults();
    double sloMs = model.slo().toMillis();
    for (double rate = 1; rate < 5000; rate *= 1.37) {
      int demand = model.demand(rate);
      assertThat(model.p95Millis(rate / demand)).as("rate %s on %s", rate, demand).isLessThanOrEqualTo(sloMs + 1e-6);
      if (demand > 1) {
        assertThat(model.p95Millis(rate / (demand - 1))).as("rate %s on %s", rate, demand - 1).isGreaterThan(sloMs);
      }
    }
    assertThat(model.demand(0)).isEqualTo(1);
  }

  @Test
  void instanceModelRoundsServiceTimeToWholeWorkersAtTheStatedCapacity() {
    InstanceModel model = InstanceModel.of(100, Duration.ofMillis(50), Duration.ZERO, Duration.ofMillis(250));
    assertThat(model.workers()).isEqualTo(5);
    assertThat(model.utilisation(80)).isCloseTo(0.8, within(1e-12));
    assertThat(model.p95Millis(100)).isEqualTo(model.latencyCapMs());
    assertThat(model.p95Millis(0)).isCloseTo(50 * Math.log(20), within(1e-6));
    assertThat(model.sustainableRps()).isBetween(50.0, 100.0);
    // Little's law: in flight = rate x mean response
    assertThat(model.inFlight(60)).isCloseTo(60 * model.meanResponseMillis(60) / 1000, within(1e-12));
  }

  @Test
  void anSloBelowTheBareServiceTimeIsRefused() {
    assertThatThrownBy(() -> InstanceModel.of(100, Duration.ofMillis(50), Duration.ZERO, Duration.ofMillis(100)))
        .hasMessageStartingWith("slo: 100.0 ms (expected: > 149.7");
    assertThatThrownBy(() -> InstanceModel.of(0, Duration.ofMillis(50), Duration.ZERO, Duration.ofMillis(100)))
        .hasMessage("capacityRps: 0.0 (expected: > 0)");
    assertThatThrownBy(() -> InstanceModel.of(10, Duration.ofMillis(50), Duration.ofSeconds(-1), Duration.ofMillis(300)))
        .hasMessage("startupDelay: PT-1S (expected: >= 0)");
  }
}
