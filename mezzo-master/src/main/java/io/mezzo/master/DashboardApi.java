package io.mezzo.master;

import io.mezzo.core.auth.Access;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.model.AgentId;
import io.mezzo.master.dashboard.AgentFiles;
import io.mezzo.master.dashboard.DashboardViews;
import io.mezzo.master.state.AgentEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The master-state endpoints the dashboard reads, all for viewers, in snake_case JSON:
 * <ul>
 *   <li>{@code GET /v1/overview}: agents by state, resources total/used/offered, frameworks with their
 *       dominant shares ({@link DashboardViews#overview});
 *   <li>{@code GET /v1/agents}: every agent with its resources, tasks and usage (the last heartbeat's, zero
 *       for an agent without tasks, else the agent's {@code /monitor/statistics} through {@link AgentFiles}
 *       for at most {@link #MAX_USAGE_ASKS} agents, else null);
 *   <li>{@code GET /v1/files/read?agent_id=&path=&offset=&length=} and {@code GET
 *       /v1/files/browse?agent_id=&path=}: the agent's files API answer, fetched by the master with its
 *       own credential ({@link AgentFiles});
 *   <li>{@code GET /v1/images?agent_id=}: the agent's {@code GET /images} answer (its container images
 *       and the tasks using each), fetched likewise;
 *   <li>{@code GET /v1/tasks/{taskId}/sandbox[?framework_id=]}: {@code {"agent_id", "framework_id", "path",
 *       "state"}}, the path the files API understands for the task's newest run.
 * </ul>
 * A bad parameter is a 400 naming it, an unknown agent or task a 404. Handlers parse parameters on the
 * HTTP thread, read state on the master loop ({@link MasterLoop#call}), which owns it, and call agents
 * after leaving the loop.
 */
final class DashboardApi {
  /**
   * The most agents one {@code GET /v1/agents} asks for usage (those with tasks their last heartbeat did
   * not cover: usually only tasks launched since); the others show null until their heartbeat.
   */
  static final int MAX_USAGE_ASKS = 32;

  private DashboardApi() {}

  /** Adds the dashboard routes to {@code b}; agents are called through {@code agents}. */
  static void routes(HttpServer.Builder b, MasterLoop loop, AgentFiles agents) {
    b.route("GET", "/v1/overview", Access.VIEWER, req -> loop.call(() -> HttpResponse.json(200,
        DashboardViews.overview(loop.clusterView(), loop.operator().maintenance()))));
    b.route("GET", "/v1/agents", Access.VIEWER, req -> agentsList(loop, agents));
    b.route("GET", "/v1/files/read", Access.VIEWER, req -> {
      String path = required(req, "path");
      long offset = integer(req, "offset", 0, -1, Long.MAX_VALUE, "an integer >= -1 (-1: the file's size)");
      long length = integer(req, "length", AgentFiles.MAX_LENGTH, 0, Long.MAX_VALUE, "an integer >= 0");
      return agent(loop, req).thenCompose(a -> agents.read(a.id(), a.address(), path, offset, length));
    });
    b.route("GET", "/v1/files/browse", Access.VIEWER, req -> {
      String path = required(req, "path");
      return agent(loop, req).thenCompose(a -> agents.browse(a.id(), a.address(), path));
    });
    b.route("GET", "/v1/images", Access.VIEWER, req -> agent(loop, req).thenCompose(a -> agents.images(a.id(), a.address())));
    b.prefixRoute("GET", "/v1/tasks/", Access.VIEWER, req -> {
      String rest = req.path().substring("/v1/tasks/".length());
      if (!rest.endsWith("/sandbox") || rest.length() == "/sandbox".length()) {
        throw HttpError.notFound("no such endpoint: GET " + req.path() + " (expected: /v1/tasks/{taskId}/sandbox)");
      }
      String taskId = java.net.URLDecoder.decode(rest.substring(0, rest.length() - "/sandbox".length()),
          java.nio.charset.StandardCharsets.UTF_8);
      String framework = req.queryParam("framework_id");
      return loop.call(() -> {
        DashboardViews.Sandbox s = DashboardViews.sandbox(loop.clusterView(), taskId, framework);
        if (s == null) {
          throw HttpError.notFound("task: '" + taskId + "' is unknown to the master"
              + (framework == null ? "" : " in framework_id '" + framework + "'"));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agent_id", s.agentId());
        out.put("framework_id", s.frameworkId());
        out.put("path", s.path());
        out.put("state", s.state());
        return HttpResponse.json(200, out);
      });
    });
  }

  /** An agent to call: its id and HTTP address. */
  private record Target(String id, String address) {}

  private static CompletableFuture<Target> agent(MasterLoop loop, HttpRequest req) {
    String id = required(req, "agent_id");
    return loop.call(() -> {
      AgentEntry a = loop.agents().get(new AgentId(id));
      if (a == null) {
        throw HttpError.notFound("agent_id: '" + id + "' is unknown to the master (expected: an id of GET /v1/agents)");
      }
      return new Target(id, DashboardViews.address(a));
    });
  }

  private static CompletionStage<HttpResponse> agentsList(MasterLoop loop, AgentFiles agents) {
    // On the loop: every agent's view, with its heartbeat usage or, where it has none, its address to ask.
    record Row(Map<String, Object> view, String id, String address) {}
    return loop.call(() -> {
      List<Row> rows = new ArrayList<>();
      int asks = 0;
      for (AgentEntry a : loop.agents().values()) {
        Map<String, Object> usage = DashboardViews.heartbeatUsage(a);
        Map<String, Object> view = DashboardViews.agent(a, loop.operator().maintenance().get(a.id), usage);
        boolean ask = usage == null && a.status != AgentEntry.Status.UNREACHABLE && asks < MAX_USAGE_ASKS;
        asks += ask ? 1 : 0;
        rows.add(new Row(view, a.id.value(), ask ? DashboardViews.address(a) : null));
      }
      return rows;
    }).thenCompose(rows -> {
      agents.retain(rows.stream().map(Row::id).toList());
      List<CompletableFuture<?>> asks = new ArrayList<>();
      for (Row r : rows) {
        if (r.address() != null) {
          asks.add(agents.usage(r.id(), r.address()).thenAccept(u -> {
            synchronized (r.view()) {
              r.view().put("usage", DashboardViews.orNull(u));
            }
          }));
        }
      }
      return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
          synchronized (r.view()) {
            list.add(r.view());
          }
        }
        return HttpResponse.json(200, Map.of("agents", list));
      });
    });
  }

  private static String required(HttpRequest req, String name) {
    String v = req.queryParam(name);
    if (v == null || v.isEmpty()) {
      throw HttpError.badRequest(name + ": missing (expected: GET " + req.path() + "?" + name + "=...)");
    }
    return v;
  }

  private static long integer(HttpRequest req, String name, long absent, long min, long max, String expected) {
    String v = req.queryParam(name);
    if (v == null || v.isEmpty()) {
      return absent;
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + ": '" + v + "' (expected: " + expected + ")");
    }
    if (n < min || n > max) {
      throw HttpError.badRequest(name + ": " + n + " (expected: " + expected + ")");
    }
    return n;
  }
}
