package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.privacy.dpf.operator.embedded.ApiResources.Resource;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the embedded API server: what a real kube-apiserver answers and the CRUD mock
 * does not. It serves {@code /version}, the health endpoints and the discovery documents; answers
 * {@code kubectl get}'s Table requests; streams watches over plain HTTP; runs the admission
 * webhooks on creates, updates, patches and deletes; turns the mock's bare error codes into {@code
 * Status} objects; and hands everything else to the {@link StrictCrudDispatcher}, which stores the
 * objects.
 */
final class ApiFront implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiFront.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MOCK_LIST_PREFIX = "{\"apiVersion\":\"v1\",\"kind\":\"List\",";
  static final String VERSION =
      "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-dpf-embedded\",\"gitCommit\":"
          + "\"\",\"gitTreeState\":\"clean\",\"buildDate\":\"2026-01-01T00:00:00Z\",\"goVersion\":"
          + "\"java\",\"compiler\":\"embedded\",\"platform\":\"linux/amd64\"}";

  private static final String OPENAPI_V2_JSON =
      "{\"swagger\":\"2.0\",\"info\":{\"title\":\"Kubernetes\",\"version\":\"v1.32.0\"},"
          + "\"paths\":{}}";

  /**
   * The same as the protobuf of gnostic's OpenAPI v2 {@code Document}: field 1 swagger, field 2
   * info (title = 1, version = 2), field 8 paths (empty).
   */
  private static final byte[] OPENAPI_V2_PB = openApiV2Protobuf();

  private static byte[] openApiV2Protobuf() {
    java.io.ByteArrayOutputStream info = new java.io.ByteArrayOutputStream();
    protoString(info, 1, "Kubernetes");
    protoString(info, 2, "v1.32.0");
    java.io.ByteArrayOutputStream doc = new java.io.ByteArrayOutputStream();
    protoString(doc, 1, "2.0");
    protoBytes(doc, 2, info.toByteArray());
    protoBytes(doc, 8, new byte[0]);
    return doc.toByteArray();
  }

  private static void protoString(java.io.ByteArrayOutputStream out, int field, String s) {
    protoBytes(out, field, s.getBytes(StandardCharsets.UTF_8));
  }

  /** A length-delimited protobuf field (wire type 2); lengths below 128 only. */
  private static void protoBytes(java.io.ByteArrayOutputStream out, int field, byte[] b) {
    out.write((field << 3) | 2);
    out.write(b.length);
    out.write(b, 0, b.length);
  }

  /** How long a watch without {@code timeoutSeconds} is kept open (the client then re-watches). */
  private static final long MAX_WATCH_MILLIS = 30 * 60_000L;

  /** Between two bookmarks on a watch that allows them. */
  static volatile long bookmarkMillis = 15_000L;

  private final StrictCrudDispatcher store;
  private final ApiResources resources;
  private final Admission admission;
  private final String serverAddress;

  ApiFront(
      StrictCrudDispatcher store,
      ApiResources resources,
      Admission admission,
      String serverAddress) {
    this.store = store;
    this.resources = resources;
    this.admission = admission;
    this.serverAddress = serverAddress;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
      String raw = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      String path = query == null ? raw : raw + "?" + query;
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      try {
        route(ex, method, path, body);
      } catch (Refusal d) {
        send(ex, d.response, List.of());
      } catch (Patches.PatchFailure f) {
        send(
            ex,
            StrictCrudDispatcher.status(
                f.code,
                f.code == 422 ? "Invalid" : "BadRequest",
                "the patch could not be applied: " + f.getMessage()),
            List.of());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        send(
            ex,
            StrictCrudDispatcher.status(
                400, "BadRequest", "the request body is not valid JSON: " + e.getOriginalMessage()),
            List.of());
      } catch (RuntimeException e) {
        LOG.warn("embedded API server: {} {} failed", method, path, e);
        send(
            ex,
            StrictCrudDispatcher.status(
                500, "InternalError", "the embedded API server failed: " + e),
            List.of());
      }
    }
  }

  private void route(HttpExchange ex, String method, String path, byte[] body) throws IOException {
    String bare = ResourcePath.bare(path);
    Map<String, String> q = ResourcePath.query(path);
    if ("GET".equals(method)) {
      MockResponse doc = nonResource(bare);
      if (doc != null) {
        send(ex, doc, List.of());
        return;
      }
      if (bare.equals("/healthz")
          || bare.equals("/readyz")
          || bare.equals("/livez")
          || bare.startsWith("/healthz/")
          || bare.startsWith("/readyz/")
          || bare.startsWith("/livez/")) {
        byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, ok.length);
        ex.getResponseBody().write(ok);
        return;
      }
      if (bare.equals("/openapi/v3") || bare.equals("/openapi/v3/")) {
        sendJson(ex, 200, resources.openApiRoot());
        return;
      }
      if (bare.startsWith("/openapi/v3/")) {
        String[] s = bare.substring("/openapi/v3/".length()).split("/");
        String gv =
            s.length == 2 && s[0].equals("api")
                ? resources.openApi("", s[1])
                : s.length == 3 && s[0].equals("apis") ? resources.openApi(s[1], s[2]) : null;
        send(
            ex,
            gv == null ? notFound("the server could not find the requested resource") : ok(gv),
            List.of());
        return;
      }
      if (bare.equals("/openapi/v2")) {
        // an empty document: kubectl before 1.30 reads it (as protobuf) to learn whether the
        // server validates fields; finding no kind in it, it validates nothing itself
        String accept = ex.getRequestHeaders().getFirst("Accept");
        boolean pb = accept != null && accept.contains("protobuf");
        byte[] v2 = pb ? OPENAPI_V2_PB : OPENAPI_V2_JSON.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders()
            .set("Content-Type", pb ? "application/octet-stream" : "application/json");
        ex.sendResponseHeaders(200, v2.length);
        ex.getResponseBody().write(v2);
        return;
      }
      if (bare.startsWith("/openapi/") || bare.startsWith("/swagger")) {
        send(ex, notFound("the server could not find the requested resource"), List.of());
        return;
      }
    }
    if ("POST".equals(method)
        && bare.equals("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")) {
      ObjectNode review = (ObjectNode) JSON.readTree(body);
      review.putObject("status").put("allowed", true).put("reason", "embedded: no RBAC");
      sendJson(ex, 201, review.toString());
      return;
    }
    String contentType = ex.getRequestHeaders().getFirst("Content-Type");
    if (body.length > 0
        && contentType != null
        && (contentType.contains("protobuf") || contentType.contains("cbor"))) {
      // kubectl's typed commands (create namespace|configmap|secret) send protobuf
      try {
        if (!contentType.contains("protobuf")) {
          throw new KubeProtobuf.Unsupported("CBOR is not understood");
        }
        body = KubeProtobuf.decode(body).toString().getBytes(StandardCharsets.UTF_8);
      } catch (KubeProtobuf.Unsupported e) {
        send(
            ex,
            StrictCrudDispatcher.status(
                415,
                "UnsupportedMediaType",
                "the embedded API server understands JSON ("
                    + e.getMessage()
                    + "); use kubectl apply -f or create -f with YAML"),
            List.of());
        return;
      }
    }
    ResourcePath rp = ResourcePath.parse(bare);
    if (rp == null) {
      send(ex, forward(method, path, body, ex), List.of());
      return;
    }
    Resource res = resources.find(rp.group(), rp.version(), rp.resource());
    FieldSelector fields = new FieldSelector("GET".equals(method) ? q.get("fieldSelector") : null);
    if (fields.hasLocalTerms()) {
      path = withFieldSelector(path, fields.storePart());
    }
    if ("GET".equals(method) && isWatch(q)) {
      String upgrade = ex.getRequestHeaders().getFirst("Upgrade");
      if (upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
        // fabric8 clients try a WebSocket first and fall back to an HTTP watch on a 503
        send(
            ex,
            StrictCrudDispatcher.status(
                503, "ServiceUnavailable", "watch over HTTP (the server has no WebSockets)"),
            List.of());
        return;
      }
      watch(ex, path, q, rp, res, fields);
      return;
    }
    List<String> warnings = new ArrayList<>();
    boolean dryRun = q.containsKey("dryRun");
    switch (method) {
      case "POST" -> {
        if (rp.name() == null) {
          JsonNode obj = parse(body);
          if (obj instanceof ObjectNode o && rp.namespace() != null) {
            ObjectNode md = o.with("metadata");
            if (!md.hasNonNull("namespace")) {
              md.put("namespace", rp.namespace());
            }
          }
          if (res != null && obj != null) {
            checkFields(res, obj, q, warnings);
          }
          if (res != null && obj != null && admission.mayApply("CREATE", rp, res)) {
            Admission.Result admitted =
                admission.admit(
                    "CREATE",
                    rp.withName(obj.path("metadata").path("name").asText("")),
                    res,
                    obj,
                    null,
                    dryRun);
            obj = admitted.object();
            warnings.addAll(admitted.warnings());
          }
          if (obj != null) {
            body = obj.toString().getBytes(StandardCharsets.UTF_8);
          }
          if (dryRun && obj != null) {
            send(ex, ok(obj.toString()).setResponseCode(201), warnings);
            return;
          }
        }
      }
      case "PUT" -> {
        JsonNode obj = res == null || rp.name() == null ? null : parse(body);
        if (obj != null) {
          checkFields(res, obj, q, warnings);
          if (admission.mayApply("UPDATE", rp, res)) {
            String old = store.stored(rp.objectPath());
            if (old != null) {
              Admission.Result admitted =
                  admission.admit("UPDATE", rp, res, obj, parse(old), dryRun);
              obj = admitted.object();
              warnings.addAll(admitted.warnings());
            }
          }
          body = obj.toString().getBytes(StandardCharsets.UTF_8);
        }
        if (dryRun) {
          send(ex, ok(new String(body, StandardCharsets.UTF_8)), warnings);
          return;
        }
      }
      case "PATCH" -> {
        if (res != null && res.custom() && rp.name() != null) {
          String type = ex.getRequestHeaders().getFirst("Content-Type");
          JsonNode patch = parse(body);
          if (type != null && type.startsWith("application/merge-patch+json") && patch != null) {
            checkFields(res, patch, q, warnings); // unknown keys of a merge patch stay unknown
            body = patch.toString().getBytes(StandardCharsets.UTF_8);
          }
        }
        if (rp.name() != null && (dryRun || res != null && admission.mayApply("UPDATE", rp, res))) {
          patchAdmitted(ex, path, q, rp, res, body, warnings);
          return;
        }
      }
      case "DELETE" -> {
        if (res != null && rp.name() != null && admission.mayApply("DELETE", rp, res)) {
          String old = store.stored(rp.objectPath());
          if (old != null) {
            warnings.addAll(
                admission.admit("DELETE", rp, res, null, parse(old), dryRun).warnings());
          }
        }
        if (dryRun) {
          String old = store.stored(rp.objectPath());
          send(ex, old == null ? notFound(rp) : ok(old), warnings);
          return;
        }
      }
      default -> {}
    }
    MockResponse r = forward(method, path, body, ex);
    afterWrite(method, rp, r);
    r = normalise(method, rp, createdName(method, rp, body), r);
    if (res != null && r.code() < 300 && (!res.namespaced() || "GET".equals(method))) {
      String b = r.getBody().readUtf8();
      if (b.startsWith(MOCK_LIST_PREFIX)) { // the mock's generic list: name the real list kind
        b =
            "{\"apiVersion\":\""
                + res.groupVersion()
                + "\",\"kind\":\""
                + res.kind()
                + "List\","
                + b.substring(MOCK_LIST_PREFIX.length());
      }
      boolean table =
          "GET".equals(method) && Tables.wanted(ex.getRequestHeaders().getFirst("Accept"));
      if (!b.isEmpty() && (table || !res.namespaced() || fields.hasLocalTerms())) {
        JsonNode doc = JSON.readTree(b);
        if (fields.hasLocalTerms() && doc.path("items") instanceof ArrayNode items) {
          for (int i = items.size() - 1; i >= 0; i--) {
            if (!fields.matches(items.get(i))) {
              items.remove(i);
            }
          }
        }
        if (!res.namespaced()) {
          dropNullNamespace(doc);
        }
        b =
            table
                ? Tables.table(res, doc, q.get("includeObject"), Instant.now()).toString()
                : doc.toString();
      }
      r = new MockResponse().setResponseCode(r.code()).setBody(b);
    }
    send(ex, r, warnings);
  }

  private static String createdName(String method, ResourcePath rp, byte[] body) {
    if (!"POST".equals(method) || rp.name() != null) {
      return rp.name();
    }
    JsonNode obj = parse(body);
    return obj == null ? "" : obj.path("metadata").path("name").asText("");
  }

  /**
   * The mock stores {@code metadata.namespace: null} on cluster-scoped objects after a patch; a
   * real server has no such key.
   */
  static void dropNullNamespace(JsonNode doc) {
    if (doc == null) {
      return;
    }
    if (doc.has("items")) {
      doc.path("items").forEach(ApiFront::dropNullNamespace);
      return;
    }
    JsonNode md = doc.path("metadata");
    if (md instanceof ObjectNode o && o.has("namespace") && o.get("namespace").isNull()) {
      o.remove("namespace");
    }
  }

  /**
   * Unknown fields of a custom resource: removed, with a warning (the default, {@code
   * fieldValidation=Warn}) or silently ({@code Ignore}), or the request refused ({@code Strict},
   * which kubectl sends), as a real API server does.
   */
  private static void checkFields(
      Resource res, JsonNode obj, Map<String, String> q, List<String> warnings) {
    if (!res.custom() || res.schema() == null) {
      return;
    }
    List<String> unknown = SchemaPruner.prune(obj, res.schema());
    if (unknown.isEmpty()) {
      return;
    }
    String mode = q.getOrDefault("fieldValidation", "Warn");
    if (mode.equals("Strict")) {
      StringBuilder m =
          new StringBuilder(
              res.kind()
                  + " in version \""
                  + res.version()
                  + "\" cannot be handled as a "
                  + res.kind()
                  + ": strict decoding error: ");
      for (int i = 0; i < unknown.size(); i++) {
        m.append(i == 0 ? "" : ", ").append("unknown field \"").append(unknown.get(i)).append('"');
      }
      throw new Refusal(StrictCrudDispatcher.status(400, "BadRequest", m.toString()), m.toString());
    }
    if (mode.equals("Warn")) {
      unknown.forEach(u -> warnings.add("unknown field \"" + u + "\""));
    }
  }

  /**
   * A patch that admission webhooks may see (or a dry run): the patched object is computed here,
   * admitted, and stored only if the object did not change in between (else all again).
   */
  private void patchAdmitted(
      HttpExchange ex,
      String path,
      Map<String, String> q,
      ResourcePath rp,
      Resource res,
      byte[] body,
      List<String> warnings)
      throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    type = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    JsonNode patch = parse(body);
    if (patch == null) {
      send(ex, StrictCrudDispatcher.status(400, "BadRequest", "the patch is not JSON"), List.of());
      return;
    }
    for (int attempt = 0; attempt < 10; attempt++) {
      String old = store.stored(rp.objectPath());
      if (old == null) {
        send(ex, notFound(rp), List.of());
        return;
      }
      JsonNode current = parse(old);
      JsonNode patched =
          switch (type) {
            case "application/json-patch+json" -> Patches.jsonPatch(current, patch);
            case "application/merge-patch+json" -> Patches.mergePatch(current, patch);
            case "application/strategic-merge-patch+json" ->
                Patches.strategicMergePatch(current, patch, current.path("kind").asText());
            default -> null;
          };
      if (patched == null) {
        send(ex, forward("PATCH", path, body, ex), List.of()); // the store's 415
        return;
      }
      Admission.Result admitted =
          res != null && admission.mayApply("UPDATE", rp, res)
              ? admission.admit("UPDATE", rp, res, patched, current, q.containsKey("dryRun"))
              : new Admission.Result(patched, List.of());
      warnings.addAll(admitted.warnings());
      if (q.containsKey("dryRun")) {
        send(ex, ok(admitted.object().toString()), warnings);
        return;
      }
      MockResponse r;
      synchronized (store.lockFor(rp.objectPath())) {
        if (!old.equals(store.stored(rp.objectPath()))) {
          continue; // changed while the webhooks ran: patch the new version
        }
        r = store.applyDiff(path, current, admitted.object());
      }
      afterWrite("PATCH", rp, r);
      send(ex, normalise("PATCH", rp, rp.name(), r), warnings);
      return;
    }
    send(
        ex,
        StrictCrudDispatcher.status(
            409, "Conflict", "the object kept changing while admission ran; try again"),
        List.of());
  }

  private void afterWrite(String method, ResourcePath rp, MockResponse r) {
    if ("GET".equals(method) || r == null || r.code() >= 300) {
      return;
    }
    if (rp.group().equals("apiextensions.k8s.io")) {
      resources.invalidate();
    } else if (rp.group().equals("admissionregistration.k8s.io")) {
      admission.invalidate();
    } else if ("DELETE".equals(method)
        && rp.group().isEmpty()
        && rp.resource().equals("namespaces")
        && rp.name() != null
        && rp.subresource() == null) {
      emptyNamespace(rp.name());
    }
  }

  /**
   * A deleted namespace's objects are deleted too (each as by its own DELETE: one with finalizers
   * stays until they are removed), as the namespace controller of a real cluster does. The
   * namespace itself is gone at once rather than Terminating until it is empty.
   */
  private void emptyNamespace(String ns) {
    for (Resource r : resources.all()) {
      if (!r.namespaced()) {
        continue;
      }
      String collection =
          (r.group().isEmpty() ? "/api/" : "/apis/" + r.group() + "/")
              + r.version()
              + "/namespaces/"
              + ns
              + "/"
              + r.plural();
      MockResponse list = store.handleGet(collection);
      JsonNode doc = list.code() == 200 ? Tables.parse(list.getBody().readUtf8()) : null;
      if (doc == null) {
        continue;
      }
      for (JsonNode item : doc.path("items")) {
        String path = collection + "/" + item.path("metadata").path("name").asText();
        synchronized (store.lockFor(path)) {
          store.dispatch(
              new RecordedRequest(
                  "HTTP/1.1", HttpMethod.DELETE, path, Headers.builder().build(), new Buffer()));
        }
      }
    }
  }

  /** {@code path} with its fieldSelector replaced by {@code selector} (dropped if empty). */
  static String withFieldSelector(String path, String selector) {
    int at = path.indexOf('?');
    StringBuilder b = new StringBuilder(path.substring(0, at));
    char sep = '?';
    for (String kv : path.substring(at + 1).split("&")) {
      if (kv.startsWith("fieldSelector=")) {
        if (selector.isEmpty()) {
          continue;
        }
        kv = "fieldSelector=" + java.net.URLEncoder.encode(selector, StandardCharsets.UTF_8);
      }
      b.append(sep).append(kv);
      sep = '&';
    }
    return b.toString();
  }

  private static boolean isWatch(Map<String, String> q) {
    String w = q.get("watch");
    return w != null && (w.equals("true") || w.equals("1"));
  }

  private void watch(
      HttpExchange ex,
      String path,
      Map<String, String> q,
      ResourcePath rp,
      Resource res,
      FieldSelector fields)
      throws IOException {
    MockResponse r = store.dispatch(request("GET", path, new byte[0], ex));
    WebSocketListener listener = r == null ? null : r.getWebSocketListener();
    if (listener == null) {
      send(ex, r, List.of());
      return;
    }
    long since;
    try {
      since = Long.parseLong(q.getOrDefault("resourceVersion", ""));
    } catch (NumberFormatException e) {
      since = -1;
    }
    boolean table = res != null && Tables.wanted(ex.getRequestHeaders().getFirst("Accept"));
    String include = q.get("includeObject");
    UnaryOperator<ObjectNode> transform =
        table
            ? e -> {
              e.set("object", Tables.table(res, e.path("object"), include, Instant.now()));
              return e;
            }
            : UnaryOperator.identity();
    long timeout = MAX_WATCH_MILLIS;
    try {
      if (q.containsKey("timeoutSeconds")) {
        timeout = Math.min(timeout, Long.parseLong(q.get("timeoutSeconds")) * 1000);
      }
    } catch (NumberFormatException e) {
      // keep the default
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Transfer-Encoding", "chunked");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    WatchStream stream = new WatchStream(out, since, fields::matches, transform);
    boolean bookmarks = "true".equals(q.get("allowWatchBookmarks"));
    String apiVersion = res == null ? rp.groupVersion() : res.groupVersion();
    String kind = res == null ? "" : res.kind();
    try {
      listener.onOpen(stream, r);
      long end = System.currentTimeMillis() + timeout;
      while (!stream.isClosed()) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) {
          break;
        }
        if (stream.awaitClosed(Math.min(left, bookmarkMillis))) {
          break;
        }
        if (bookmarks && !stream.bookmark(apiVersion, kind)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stream.close(1000, "watch ended");
      listener.onClosed(stream, 1000, "watch ended");
    }
  }

  /** {@code /version} and the discovery documents, or null for any other path. */
  private MockResponse nonResource(String bare) {
    if (bare.equals("/version") || bare.equals("/version/")) {
      return ok(VERSION);
    }
    if (bare.equals("/api") || bare.equals("/api/")) {
      return ok(resources.apiVersions(serverAddress));
    }
    if (bare.equals("/apis") || bare.equals("/apis/")) {
      return ok(resources.apiGroupList());
    }
    String[] s = bare.split("/");
    if (s.length == 3 && s[1].equals("api")) {
      return orNotFound(resources.apiResourceList("", s[2]));
    }
    if (s.length == 3 && s[1].equals("apis")) {
      return orNotFound(resources.apiGroup(s[2]));
    }
    if (s.length == 4 && s[1].equals("apis")) {
      return orNotFound(resources.apiResourceList(s[2], s[3]));
    }
    return null;
  }

  private static MockResponse orNotFound(String doc) {
    return doc == null ? notFound("the server could not find the requested resource") : ok(doc);
  }

  private MockResponse forward(String method, String path, byte[] body, HttpExchange ex) {
    MockResponse r = store.dispatch(request(method, path, body, ex));
    return r == null
        ? StrictCrudDispatcher.status(405, "MethodNotAllowed", method + " is not supported here")
        : r;
  }

  private static RecordedRequest request(String method, String path, byte[] body, HttpExchange ex) {
    Headers.Builder h = Headers.builder();
    for (Map.Entry<String, List<String>> e : ex.getRequestHeaders().entrySet()) {
      for (String v : e.getValue()) {
        // a protobuf body has been decoded into JSON by now (or refused)
        h.add(
            e.getKey(),
            e.getKey().equalsIgnoreCase("Content-Type") && v.contains("protobuf")
                ? "application/json"
                : v);
      }
    }
    return new RecordedRequest(
        "HTTP/1.1", HttpMethod.valueOf(method), path, h.build(), new Buffer(body));
  }

  /**
   * The mock answers some failures with a bare code; a real server sends a Status that kubectl
   * prints (e.g. {@code privacyclaims.dpf.privacy.dev "x" not found}).
   */
  private static MockResponse normalise(
      String method, ResourcePath rp, String name, MockResponse r) {
    int code = r.code();
    if (code < 400) {
      if ("POST".equals(method) && code == 200) {
        return r.setResponseCode(201);
      }
      return r;
    }
    String b = r.getBody() == null ? "" : r.getBody().readUtf8();
    JsonNode parsed = b.isBlank() ? null : parse(b.getBytes(StandardCharsets.UTF_8));
    if (code == 409 && "POST".equals(method)) {
      return StrictCrudDispatcher.status(
          409, "AlreadyExists", qualified(rp) + " \"" + name + "\" already exists");
    }
    if (parsed != null && "Status".equals(parsed.path("kind").asText())) {
      ObjectNode s = (ObjectNode) parsed;
      if (code == 404) {
        s.put("reason", "NotFound");
      } else if (code == 409) {
        s.put("reason", "Conflict");
      }
      return new MockResponse().setResponseCode(code).setBody(s.toString());
    }
    if (code == 404 && rp.name() != null) {
      return notFound(rp);
    }
    if (code == 404) {
      return notFound("the server could not find the requested resource");
    }
    if (code == 409) {
      return StrictCrudDispatcher.status(
          409,
          "Conflict",
          "Operation cannot be fulfilled on "
              + qualified(rp)
              + " \""
              + rp.name()
              + "\": the object has been modified; please apply your changes to the latest"
              + " version and try again");
    }
    return StrictCrudDispatcher.status(
        code, "", b.isBlank() ? "the embedded API server answered " + code : b);
  }

  private static String qualified(ResourcePath rp) {
    return rp.group().isEmpty() ? rp.resource() : rp.resource() + "." + rp.group();
  }

  static MockResponse notFound(ResourcePath rp) {
    String what = rp.group().isEmpty() ? rp.resource() : rp.resource() + "." + rp.group();
    ObjectNode s = (ObjectNode) JSON.createObjectNode();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", what + " \"" + rp.name() + "\" not found");
    s.put("reason", "NotFound");
    ObjectNode d = s.putObject("details");
    d.put("name", rp.name());
    d.put("group", rp.group());
    d.put("kind", rp.resource());
    s.put("code", 404);
    return new MockResponse().setResponseCode(404).setBody(s.toString());
  }

  private static MockResponse notFound(String message) {
    return StrictCrudDispatcher.status(404, "NotFound", message);
  }

  private static MockResponse ok(String body) {
    return new MockResponse().setResponseCode(200).setBody(body);
  }

  private static JsonNode parse(byte[] body) {
    try {
      return body.length == 0 ? null : JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static JsonNode parse(String s) {
    return parse(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void sendJson(HttpExchange ex, int code, String doc) throws IOException {
    send(ex, new MockResponse().setResponseCode(code).setBody(doc), List.of());
  }

  private static void send(HttpExchange ex, MockResponse r, List<String> warnings)
      throws IOException {
    byte[] b = r.getBody() == null ? new byte[0] : r.getBody().getBytes();
    for (Map.Entry<String, List<String>> h : r.getHeaders().toMultimap().entrySet()) {
      if (!h.getKey().equalsIgnoreCase("content-length")) {
        ex.getResponseHeaders().put(h.getKey(), h.getValue());
      }
    }
    for (String w : warnings) {
      ex.getResponseHeaders()
          .add("Warning", "299 - \"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
    if (!ex.getResponseHeaders().containsKey("Content-Type")) {
      ex.getResponseHeaders().set("Content-Type", "application/json");
    }
    int code = r.code() <= 0 ? 500 : r.code();
    ex.sendResponseHeaders(code, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
  }
}
