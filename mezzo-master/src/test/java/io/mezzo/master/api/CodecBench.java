package io.mezzo.master.api;

import io.mezzo.core.http.HttpStream;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resource;
import io.mezzo.core.recordio.RecordIo;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Wall-clock cost of the protobuf encoding next to the JSON one, per message, in one thread: what a
 * protobuf framework costs the master loop for each event (JSON frame, then {@link ProtobufStream}
 * re-encoding it), and what a protobuf call costs the HTTP thread before the JSON handler. Not a
 * test; run by {@code bench/protobuf-codec}. Prints the median of 7 rounds after warm-up.
 */
public final class CodecBench {
  private CodecBench() {}

  /** Counts what reaches the client. */
  private static final class Sink implements HttpStream {
    long bytes;

    @Override
    public boolean send(byte[] chunk) {
      bytes += chunk.length;
      return true;
    }

    @Override
    public void close() {}

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void onClose(Runnable callback) {}
  }

  public static void main(String[] args) {
    int offers = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    List<Offer> list = new ArrayList<>();
    for (int i = 0; i < offers; i++) {
      list.add(new Offer(new OfferId("20261127-000000-0001-O" + i), new FrameworkId("20261127-000000-0001-0001"),
          new AgentId("20261127-000000-0001-S" + i), "agent-" + i + ".example",
          List.of(Resource.scalar("cpus", 4), Resource.scalar("mem", 8192), Resource.scalar("disk", 20000),
              Resource.ranges("ports", List.of(new Resource.Range(31000, 32000)))),
          new Offer.AllocationInfo("*")));
    }
    Event offerEvent = Event.offers(list);
    Event heartbeat = Event.heartbeat();
    var protoEvent = org.apache.mesos.v1.scheduler.Protos.Event.getDescriptor();
    var protoCall = org.apache.mesos.v1.scheduler.Protos.Call.getDescriptor();
    Sink sink = new Sink();
    ProtobufStream proto = new ProtobufStream(sink, protoEvent);

    byte[] acceptJson = ("{\"framework_id\":{\"value\":\"f1\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"o1\"}],"
        + "\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"t\",\"task_id\":{\"value\":\"t1\"},"
        + "\"agent_id\":{\"value\":\"a1\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1}},"
        + "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":32}},{\"name\":\"ports\",\"type\":\"RANGES\","
        + "\"ranges\":{\"range\":[{\"begin\":31000,\"end\":31000}]}}],\"command\":{\"shell\":true,\"value\":\"sleep 10\"}}]}}],"
        + "\"filters\":{\"refuse_seconds\":5}}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] acceptProto = MesosProtobuf.fromJson(protoCall, acceptJson);

    System.out.printf(Locale.ROOT, "OFFERS event with %d offers: JSON %d bytes, protobuf %d bytes%n", offers,
        Json.write(offerEvent).length, MesosProtobuf.fromJson(protoEvent, Json.write(offerEvent)).length);
    report("OFFERS event, JSON frame (what JSON frameworks cost)", () -> RecordIo.frame(Json.write(offerEvent)).length);
    report("OFFERS event, protobuf frame (JSON frame + re-encoding)", () -> {
      proto.send(RecordIo.frame(Json.write(offerEvent)));
      return 0;
    });
    report("HEARTBEAT event, JSON frame", () -> RecordIo.frame(Json.write(heartbeat)).length);
    report("HEARTBEAT event, protobuf frame", () -> {
      proto.send(RecordIo.frame(Json.write(heartbeat)));
      return 0;
    });
    report("ACCEPT call, JSON body -> Call record", () -> Json.read(acceptJson, Call.class).hashCode());
    report("ACCEPT call, protobuf body -> JSON -> Call record",
        () -> Json.read(MesosProtobuf.toJson(protoCall, acceptProto), Call.class).hashCode());
    if (sink.bytes == 0) {
      throw new IllegalStateException("BUG: nothing was encoded");
    }
  }

  private static void report(String what, Supplier<Integer> op) {
    int iterations = 20_000;
    long sink = 0;
    for (int i = 0; i < iterations; i++) { // warm-up
      sink += op.get();
    }
    double[] rounds = new double[7];
    for (int r = 0; r < rounds.length; r++) {
      long start = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        sink += op.get();
      }
      rounds[r] = (System.nanoTime() - start) / (double) iterations / 1000.0;
    }
    Arrays.sort(rounds);
    System.out.printf(Locale.ROOT, "%-58s median %7.2f us/op (min %.2f, max %.2f)%s%n", what, rounds[3], rounds[0],
        rounds[rounds.length - 1], sink == 42 ? " " : "");
  }
}
