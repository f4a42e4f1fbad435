package io.mezzo.services.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.scheduler.Call;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link CallChannel}: a call is posted only after the master answered the one before it. */
class CallChannelTest {
  private final List<Call.Type> posted = new ArrayList<>();
  private final List<CompletableFuture<JsonClient.Reply>> replies = new ArrayList<>();
  private final CallChannel channel = new CallChannel(call -> {
    posted.add(call.type());
    CompletableFuture<JsonClient.Reply> reply = new CompletableFuture<>();
    replies.add(reply);
    return reply;
  });

  private static final Call DECLINE_IDLE = Call.decline(null, List.of(OfferId.of("O1")), 120.0);
  private static final Call REVIVE = new Call(null, Call.Type.REVIVE, null, null, null, null, null, null,
      new Call.Revive(List.of()), null);

  private static JsonClient.Reply accepted() {
    return new JsonClient.Reply(202, Map.of(), "");
  }

  @Test
  void reviveIsNotPostedUntilTheIdleDeclineBeforeItIsAnswered() {
    channel.send(DECLINE_IDLE);
    CompletableFuture<JsonClient.Reply> revive = channel.send(REVIVE);

    assertThat(posted).containsExactly(Call.Type.DECLINE);
    replies.get(0).complete(accepted());
    assertThat(posted).containsExactly(Call.Type.DECLINE, Call.Type.REVIVE);
    assertThat(revive).isNotDone();
    replies.get(1).complete(accepted());
    assertThat(revive).isCompletedWithValue(accepted());
  }

  @Test
  void aFailedCallDoesNotHoldBackTheNext() {
    CompletableFuture<JsonClient.Reply> decline = channel.send(DECLINE_IDLE);
    channel.send(REVIVE);

    replies.get(0).completeExceptionally(new java.io.IOException("connection reset"));
    assertThat(decline).isCompletedExceptionally();
    assertThat(posted).containsExactly(Call.Type.DECLINE, Call.Type.REVIVE);
  }

  @Test
  void aPostThatThrowsFailsItsCallOnly() {
    CallChannel throwing = new CallChannel(call -> {
      if (call.type() == Call.Type.DECLINE) {
        throw new IllegalStateException("stream closed");
      }
      posted.add(call.type());
      return CompletableFuture.completedFuture(accepted());
    });

    assertThat(throwing.send(DECLINE_IDLE)).isCompletedExceptionally();
    assertThat(throwing.send(REVIVE)).isCompletedWithValue(accepted());
    assertThat(posted).containsExactly(Call.Type.REVIVE);
  }
}
