package io.mezzo.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.balancer.health.RetryPolicy.Decision;
import io.mezzo.balancer.health.RetryPolicy.FailureKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy = RetryPolicy.defaults();

  @Test
  void postIsNotRetriedAfterA5xx() {
    assertThat(policy.shouldRetry("POST", 0, FailureKind.HTTP_5XX, 0)).isEqualTo(Decision.NOT_IDEMPOTENT);
    assertThat(policy.shouldRetry("PATCH", 0, FailureKind.TIMEOUT, 0)).isEqualTo(Decision.NOT_IDEMPOTENT);
    assertThat(policy.shouldRetry("POST", 0, FailureKind.RESET, 0)).isEqualTo(Decision.NOT_IDEMPOTENT);
  }

  @Test
  void connectFailureIsRetriedForAnyMethod() {
    assertThat(policy.shouldRetry("POST", 0, FailureKind.CONNECT_FAILURE, 10_000_000)).isEqualTo(Decision.RETRY);
  }

  @Test
  void idempotentMethodsAreRetriedAfterA5xxOrTimeout() {
    for (String method : new String[] {"GET", "head", "OPTIONS", "PUT", "DELETE", "TRACE"}) {
      assertThat(policy.shouldRetry(method, 0, FailureKind.HTTP_5XX, 0)).as(method).isEqualTo(Decision.RETRY);
      assertThat(policy.shouldRetry(method, 1, FailureKind.TIMEOUT, 0)).as(method).isEqualTo(Decision.RETRY);
    }
  }

  @Test
  void atMostTwoRetriesByDefault() {
    assertThat(policy.shouldRetry("GET", 2, FailureKind.HTTP_5XX, 0)).isEqualTo(Decision.ATTEMPTS_EXHAUSTED);
    assertThat(policy.shouldRetry("GET", 2, FailureKind.CONNECT_FAILURE, 0))
        .isEqualTo(Decision.ATTEMPTS_EXHAUSTED);
    assertThat(RetryPolicy.of(0, 0).shouldRetry("GET", 0, FailureKind.CONNECT_FAILURE, 0))
        .isEqualTo(Decision.ATTEMPTS_EXHAUSTED);
  }

  @Test
  void aBodyStreamedBeyondTheReplayBufferIsNotSentAgain() {
    assertThat(policy.shouldRetry("PUT", 0, FailureKind.HTTP_5XX, 64 * 1024)).isEqualTo(Decision.RETRY);
    assertThat(policy.shouldRetry("PUT", 0, FailureKind.HTTP_5XX, 64 * 1024 + 1))
        .isEqualTo(Decision.BODY_NOT_REPLAYABLE);
  }

  @Test
  void theBudgetIsSpentOnlyOnRetriesTheRulesAllow() {
    RetryBudget budget = RetryBudget.create(new RetryBudget.Config(0, 1, Duration.ofSeconds(1))); // 1 retry
    long now = 42L;

    assertThat(policy.decide("POST", 0, FailureKind.HTTP_5XX, 0, budget, now)).isEqualTo(Decision.NOT_IDEMPOTENT);
    assertThat(policy.decide("GET", 2, FailureKind.HTTP_5XX, 0, budget, now))
        .isEqualTo(Decision.ATTEMPTS_EXHAUSTED);
    assertThat(policy.decide("GET", 0, FailureKind.HTTP_5XX, 0, budget, now)).isEqualTo(Decision.RETRY);
    assertThat(policy.decide("GET", 0, FailureKind.CONNECT_FAILURE, 0, budget, now))
        .isEqualTo(Decision.BUDGET_EXHAUSTED);
  }

  @Test
  void badArgumentsNameTheField() {
    assertThatThrownBy(() -> RetryPolicy.of(-1, 0)).hasMessage("maxRetries: -1 (expected: >= 0)");
    assertThatThrownBy(() -> policy.shouldRetry("GET", -1, FailureKind.TIMEOUT, 0))
        .hasMessage("retriesSoFar: -1 (expected: >= 0)");
  }
}
