package io.mezzo.autoscaler.sim;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.Scaler;
import java.util.ArrayList;
import java.util.List;

/** Small scalers for the simulator's tests: a fixed count, a naive proportional one, a recorder. */
final class TestScalers {
  private TestScalers() {}

  /** Always asks for {@code count} instances. */
  static Scaler fixed(int count) {
    return o -> new Decision(o.now(), o.current(), count, List.of(), null, "fixed " + count);
  }

  /**
   * {@code ceil(ready x cpu / target)} when cpu is reported (at least 1), the current count otherwise:
   * no tolerance, no windows.
   */
  static Scaler proportional(double targetCpu) {
    return o -> {
      MetricValue cpu = o.metric(MetricValue.CPU);
      int desired = cpu == null ? o.current()
          : Math.max(1, (int) Math.ceil(o.ready() * cpu.value() / targetCpu - 1e-9));
      return new Decision(o.now(), o.current(), desired, List.of(), null, "proportional " + desired);
    };
  }

  /** Wraps a scaler and keeps every observation it was given. */
  static final class Recording implements Scaler {
    final List<Observation> observations = new ArrayList<>();
    private final Scaler delegate;

    Recording(Scaler delegate) {
      this.delegate = delegate;
    }

    @Override
    public Decision evaluate(Observation observation) {
      observations.add(observation);
      return delegate.evaluate(observation);
    }
  }
}
