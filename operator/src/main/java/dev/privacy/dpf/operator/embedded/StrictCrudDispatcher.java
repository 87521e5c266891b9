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
 * fabric8's CRUD dispatcher made to keep the optimistic-concurrency contract of a real API server
 * where it does not: a status replace ({@code PUT .../status}) whose resourceVersion is not the
 * stored one is refused with 409; the check and the write are atomic per object. A request
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
    boolean status = "PUT".equals(method) && bare.endsWith("/status");
    String object = bare.endsWith("/status") ? bare.substring(0, bare.length() - 7) : bare;
    synchronized (stripes[Math.floorMod(object.hashCode(), stripes.length)]) {
      if (status) {
        MockResponse conflict = staleStatus(request, object);
        if (conflict != null) {
          return conflict;
        }
      }
      return super.dispatch(request);
    }
  }

  private MockResponse staleStatus(RecordedRequest request, String objectPath) {
    try {
      JsonNode sent =
          JSON.readTree(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
      String rv = sent.path("metadata").path("resourceVersion").asText("");
      if (rv.isEmpty()) {
        return null;
      }
      String body = cached(getKey(objectPath));
      if (body == null) {
        MockResponse current = handleGet(objectPath); // takes the store's read lock
        if (current.code() != 200) {
          return null;
        }
        body = current.getBody().readUtf8();
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
