package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * fabric8's CRUD dispatcher made to keep the contract of a real API server where it does not: a
 * status replace ({@code PUT .../status}) whose resourceVersion is not the stored one is refused
 * with 409 (the check and the write are atomic per object); a JSON merge patch follows RFC 7386 and
 * a strategic merge patch is understood (both computed by {@link Patches} and stored through the
 * mock's JSON Patch path); a JSON Patch that cannot be applied (a failed {@code test}) is answered
 * with 422 instead of no answer at all; server-side apply is refused with a clear 415. A request
 * interceptor lets tests inject failures. It also answers the SelfSubjectRulesReview that JOSDK's
 * leader election sends.
 */
public class StrictCrudDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Object[] stripes = new Object[64];

  {
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  private volatile Function<RecordedRequest, MockResponse> interceptor = r -> null;

  /** Installs {@code f}: a non-null answer replaces the server's. */
  public void intercept(Function<RecordedRequest, MockResponse> f) {
    this.interceptor = f == null ? r -> null : f;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    MockResponse injected = interceptor.apply(request);
    if (injected != null) {
      return injected;
    }
    String method = request.getMethod();
    String path = request.getPath();
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    if ("POST".equals(method)
        && bare.equals("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
      return new MockResponse().setResponseCode(201).setBody(RULES_REVIEW);
    }
    if ("GET".equals(method)) {
      return super.dispatch(request);
    }
    // every write of one object is serialised, so a status replace's check and its write are
    // atomic (a real API server is atomic per object too); writes of different objects overlap
    boolean status = bare.endsWith("/status");
    String object = status ? bare.substring(0, bare.length() - 7) : bare;
    synchronized (lockFor(object)) {
      if (status && "PUT".equals(method)) {
        MockResponse conflict = staleStatus(request, object);
        if (conflict != null) {
          return conflict;
        }
      }
      if ("PATCH".equals(method)) {
        return patch(request, object);
      }
      return super.dispatch(request);
    }
  }

  /**
   * The lock that serialises the writes of the object at {@code objectPath} (no subresource, no
   * query). Holding it, a caller can read the object and write it with no other write in between.
   */
  Object lockFor(String objectPath) {
    return stripes[Math.floorMod(objectPath.hashCode(), stripes.length)];
  }

  private MockResponse patch(RecordedRequest request, String objectPath) {
    String type = mediaType(request.getHeader("Content-Type"));
    switch (type) {
      case "application/json-patch+json":
        return jsonPatch(request);
      case "application/merge-patch+json":
      case "application/strategic-merge-patch+json":
        break;
      case "application/apply-patch+yaml":
        return status(
            415,
            "UnsupportedMediaType",
            "server-side apply is not supported by the embedded API server; use kubectl apply"
                + " without --server-side, or a merge or JSON patch");
      default:
        return status(415, "UnsupportedMediaType", "the patch type " + type + " is not supported");
    }
    String body = stored(objectPath);
    if (body == null) {
      return super.dispatch(request); // the mock's 404
    }
    JsonNode current;
    JsonNode patch;
    try {
      current = JSON.readTree(body);
      patch = JSON.readTree(request.getBody().getBytes());
    } catch (Exception e) {
      return status(400, "BadRequest", "the patch is not valid JSON: " + e.getMessage());
    }
    if (patch == null || !patch.isObject()) {
      return status(400, "BadRequest", "a merge patch must be a JSON object");
    }
    JsonNode target =
        type.equals("application/merge-patch+json")
            ? Patches.mergePatch(current, patch)
            : Patches.strategicMergePatch(current, patch, current.path("kind").asText());
    return applyDiff(request.getPath(), current, target);
  }

  /**
   * Stores {@code target} over {@code current} (the object at {@code path}, which may name a
   * subresource) through the mock's JSON Patch handling, so that its rules (status subresource,
   * generation, resourceVersion, finalizers) apply. The caller holds {@link #lockFor}.
   */
  MockResponse applyDiff(String path, JsonNode current, JsonNode target) {
    com.fasterxml.jackson.databind.node.ArrayNode ops = Patches.diff(current, target);
    if (ops.isEmpty()) {
      return new MockResponse().setResponseCode(200).setBody(current.toString());
    }
    RecordedRequest json =
        new RecordedRequest(
            "HTTP/1.1",
            io.fabric8.mockwebserver.dsl.HttpMethod.PATCH,
            path,
            io.fabric8.mockwebserver.http.Headers.builder()
                .add("Content-Type", "application/json-patch+json")
                .build(),
            new io.fabric8.mockwebserver.http.Buffer(
                ops.toString().getBytes(StandardCharsets.UTF_8)));
    return jsonPatch(json);
  }

  private MockResponse jsonPatch(RecordedRequest request) {
    try {
      return super.dispatch(request);
    } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
      // the mock lets this escape and never answers; a real API server answers 422
      return status(422, "Invalid", "the JSON Patch could not be applied: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return status(400, "BadRequest", "the JSON Patch is not valid: " + e.getMessage());
    }
  }

  /** The stored object at {@code objectPath}, or null. */
  String stored(String objectPath) {
    String body = cached(getKey(objectPath));
    if (body != null) {
      return body;
    }
    MockResponse current = handleGet(objectPath); // takes the store's read lock
    return current.code() == 200 ? current.getBody().readUtf8() : null;
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(java.util.Locale.ROOT);
  }

  /** A {@code Status} answer. */
  static MockResponse status(int code, String reason, String message) {
    com.fasterxml.jackson.databind.node.ObjectNode s = JSON.createObjectNode();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", message);
    s.put("reason", reason);
    s.put("code", code);
    return new MockResponse().setResponseCode(code).setBody(s.toString());
  }

  private MockResponse staleStatus(RecordedRequest request, String objectPath) {
    try {
      JsonNode sent =
          JSON.readTree(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
      String rv = sent.path("metadata").path("resourceVersion").asText("");
      if (rv.isEmpty()) {
        return null;
      }
      String body = stored(objectPath);
      if (body == null) {
        return null;
      }
      JsonNode stored = JSON.readTree(body);
      String now = stored.path("metadata").path("resourceVersion").asText("");
      if (now.equals(rv)) {
        return null;
      }
      String name = stored.path("metadata").path("name").asText();
      return new MockResponse()
          .setResponseCode(409)
          .setBody(
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
                  + "\"Conflict\",\"code\":409,\"message\":\"Operation cannot be fulfilled on "
                  + name
                  + ": the object has been modified; please apply your changes to the latest"
                  + " version and try again\"}");
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Where each queried object was last found: the mock scans its whole store for every lookup,
   * which made it the operator's bottleneck at a few thousand objects. A remembered key is used
   * only if it is still stored and still matches the query, so the answer is the scan's.
   */
  private final ConcurrentHashMap<AttributeSet, AttributeSet> found = new ConcurrentHashMap<>();

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
    AttributeSet key = found.get(query);
    if (key != null) {
      String value = map.get(key);
      if (value != null && key.matches(query)) {
        return new AbstractMap.SimpleImmutableEntry<>(key, value);
      }
      found.remove(query);
    }
    Map.Entry<AttributeSet, String> e = super.findResource(query);
    if (e != null) {
      if (found.size() > 200_000) {
        found.clear();
      }
      found.put(query, e.getKey());
    }
    return e;
  }

  /** The stored object for {@code query} if its key is remembered and still valid, else null. */
  private String cached(AttributeSet query) {
    AttributeSet key = found.get(query);
    if (key == null) {
      return null;
    }
    String value = map.get(key);
    return value != null && key.matches(query) ? value : null;
  }

  private static final String RULES_REVIEW =
      "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
          + "\"metadata\":{},\"spec\":{},\"status\":{\"incomplete\":false,\"resourceRules\":"
          + "[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}],"
          + "\"nonResourceRules\":[]}}";
}
