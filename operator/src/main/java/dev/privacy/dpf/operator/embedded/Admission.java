package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.privacy.dpf.operator.embedded.ApiResources.Resource;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission webhooks as a real API server calls them: every {@code MutatingWebhookConfiguration}
 * and then every {@code ValidatingWebhookConfiguration} stored in the server (configurations in
 * name order, webhooks in their order) whose {@code rules}, {@code namespaceSelector} and {@code
 * objectSelector} match a CREATE, UPDATE or DELETE gets an {@code admission.k8s.io/v1}
 * AdmissionReview over HTTPS at {@code clientConfig.url}, trusting {@code clientConfig.caBundle}
 * (the JDK's trust store when it is empty). A mutating answer's JSONPatch is applied before the
 * next webhook runs; a denial becomes the request's error. A webhook that cannot be called (down,
 * timed out, a bad answer, or a {@code clientConfig.service}, which cannot be resolved here) fails
 * the request under {@code failurePolicy: Fail} (the default) and is skipped, with a warning in the
 * log, under {@code Ignore}. Not done: {@code matchConditions} (CEL; such a webhook is called as if
 * they matched), reinvocation, {@code matchPolicy} (each resource has one version here).
 */
final class Admission {
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MUTATING =
      "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
  private static final String VALIDATING =
      "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";

  /** The object to store, and the webhooks' warnings for the client. */
  record Result(JsonNode object, List<String> warnings) {}

  private record Rule(
      Set<String> operations,
      Set<String> groups,
      Set<String> versions,
      Set<String> resources,
      String scope) {}

  private record Hook(
      String config,
      String name,
      boolean mutating,
      List<Rule> rules,
      JsonNode namespaceSelector,
      JsonNode objectSelector,
      boolean ignoreFailure,
      int timeoutSeconds,
      String url,
      String service,
      String caBundle,
      boolean acceptsV1,
      boolean hasMatchConditions) {}

  private final StrictCrudDispatcher store;
  private volatile List<Hook> hooks;
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

  Admission(StrictCrudDispatcher store) {
    this.store = store;
  }

  /** Forgets the webhook configurations (one was written); they are re-read on the next use. */
  void invalidate() {
    hooks = null;
  }

  private List<Hook> hooks() {
    List<Hook> h = hooks;
    if (h == null) {
      h = new ArrayList<>();
      load(MUTATING, true, h);
      load(VALIDATING, false, h);
      hooks = List.copyOf(h);
    }
    return h;
  }

  private void load(String path, boolean mutating, List<Hook> out) {
    JsonNode list;
    try {
      MockResponse r = store.handleGet(path);
      list = r.code() == 200 ? JSON.readTree(r.getBody().readUtf8()) : null;
    } catch (Exception e) {
      list = null;
    }
    if (list == null) {
      return;
    }
    List<JsonNode> configs = new ArrayList<>();
    list.path("items").forEach(configs::add);
    configs.sort(Comparator.comparing(c -> c.path("metadata").path("name").asText()));
    for (JsonNode c : configs) {
      String config = c.path("metadata").path("name").asText();
      for (JsonNode w : c.path("webhooks")) {
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : w.path("rules")) {
          rules.add(
              new Rule(
                  strings(r.path("operations")),
                  strings(r.path("apiGroups")),
                  strings(r.path("apiVersions")),
                  strings(r.path("resources")),
                  r.path("scope").asText("*")));
        }
        JsonNode cc = w.path("clientConfig");
        Set<String> versions = strings(w.path("admissionReviewVersions"));
        out.add(
            new Hook(
                config,
                w.path("name").asText(),
                mutating,
                rules,
                w.path("namespaceSelector"),
                w.path("objectSelector"),
                "Ignore".equals(w.path("failurePolicy").asText("Fail")),
                Math.max(1, Math.min(30, w.path("timeoutSeconds").asInt(10))),
                cc.path("url").asText(""),
                cc.has("service")
                    ? cc.path("service").path("namespace").asText()
                        + "/"
                        + cc.path("service").path("name").asText()
                    : "",
                cc.path("caBundle").asText(""),
                versions.isEmpty() || versions.contains("v1"),
                w.path("matchConditions").size() > 0));
      }
    }
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> s = new HashSet<>();
    array.forEach(n -> s.add(n.asText()));
    return s;
  }

  /** Whether some webhook's rules match the request (its selectors are not looked at yet). */
  boolean mayApply(String operation, ResourcePath rp, Resource res) {
    for (Hook h : hooks()) {
      if (rulesMatch(h, operation, rp, res)) {
        return true;
      }
    }
    return false;
  }

  private static boolean rulesMatch(Hook h, String op, ResourcePath rp, Resource res) {
    for (Rule r : h.rules) {
      if (any(r.operations, op)
          && any(r.groups, rp.group())
          && any(r.versions, rp.version())
          && resourceMatches(r.resources, rp.resource(), rp.subresource())
          && scopeMatches(r.scope, res.namespaced())) {
        return true;
      }
    }
    return false;
  }

  private static boolean any(Set<String> allowed, String value) {
    return allowed.contains("*") || allowed.contains(value);
  }

  /**
   * {@code pods} matches the pods themselves only; {@code pods/status}, {@code pods/*} and {@code
   * *}/{@code status} their subresources; {@code *} every resource; {@code *}/{@code *} everything.
   */
  static boolean resourceMatches(Set<String> patterns, String resource, String sub) {
    for (String p : patterns) {
      int slash = p.indexOf('/');
      String pr = slash < 0 ? p : p.substring(0, slash);
      String ps = slash < 0 ? null : p.substring(slash + 1);
      boolean resOk = pr.equals("*") || pr.equals(resource);
      boolean subOk = ps == null ? sub == null : ps.equals("*") || ps.equals(sub);
      if (resOk && subOk) {
        return true;
      }
    }
    return false;
  }

  private static boolean scopeMatches(String scope, boolean namespaced) {
    return switch (scope) {
      case "Cluster" -> !namespaced;
      case "Namespaced" -> namespaced;
      default -> true;
    };
  }

  /**
   * Runs the matching webhooks on {@code object} (null for a DELETE) and returns what to store, or
   * throws {@link Refusal}.
   */
  Result admit(
      String op,
      ResourcePath rp,
      Resource res,
      JsonNode object,
      JsonNode oldObject,
      boolean dryRun) {
    JsonNode obj = object;
    List<String> warnings = new ArrayList<>();
    for (Hook h : hooks()) {
      if (!rulesMatch(h, op, rp, res) || !selectorsMatch(h, rp, res, obj, oldObject)) {
        continue;
      }
      JsonNode answer = call(h, op, rp, res, obj, oldObject, dryRun);
      if (answer == null) {
        continue; // failed, and failurePolicy is Ignore
      }
      answer.path("warnings").forEach(w -> warnings.add(w.asText()));
      if (!answer.path("allowed").asBoolean(false)) {
        throw denial(h, answer.path("status"));
      }
      String patch = answer.path("patch").asText("");
      if (h.mutating && !patch.isEmpty() && obj != null) {
        try {
          JsonNode ops = JSON.readTree(Base64.getDecoder().decode(patch));
          obj = Patches.jsonPatch(obj, ops);
        } catch (Exception e) {
          JsonNode failed = failure(h, "its patch cannot be applied: " + e.getMessage());
          if (failed == null) {
            continue;
          }
        }
      }
    }
    return new Result(obj, warnings);
  }

  private boolean selectorsMatch(
      Hook h, ResourcePath rp, Resource res, JsonNode obj, JsonNode old) {
    if (!isEmpty(h.objectSelector)
        && !LabelSelectors.matches(h.objectSelector, labels(obj))
        && !LabelSelectors.matches(h.objectSelector, labels(old))) {
      return false;
    }
    if (isEmpty(h.namespaceSelector)) {
      return true;
    }
    if (res.kind().equals("Namespace") && res.group().isEmpty()) {
      JsonNode ns = obj != null ? obj : old;
      return LabelSelectors.matches(h.namespaceSelector, namespaceLabels(rp.name(), ns));
    }
    if (!res.namespaced() || rp.namespace() == null) {
      return true; // namespaceSelector does not apply to cluster-scoped objects
    }
    String stored = store.stored("/api/v1/namespaces/" + rp.namespace());
    JsonNode ns = stored == null ? null : Tables.parse(stored);
    return LabelSelectors.matches(h.namespaceSelector, namespaceLabels(rp.namespace(), ns));
  }

  private static boolean isEmpty(JsonNode selector) {
    return selector == null
        || selector.isMissingNode()
        || selector.isNull()
        || (selector.path("matchLabels").size() == 0
            && selector.path("matchExpressions").size() == 0);
  }

  private static Map<String, String> labels(JsonNode obj) {
    Map<String, String> m = new java.util.HashMap<>();
    if (obj != null) {
      obj.path("metadata")
          .path("labels")
          .fields()
          .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    }
    return m;
  }

  /** A namespace's labels, with the {@code kubernetes.io/metadata.name} a real server adds. */
  private static Map<String, String> namespaceLabels(String name, JsonNode ns) {
    Map<String, String> m = labels(ns);
    if (name != null) {
      m.put("kubernetes.io/metadata.name", name);
    }
    return m;
  }

  private JsonNode call(
      Hook h,
      String op,
      ResourcePath rp,
      Resource res,
      JsonNode obj,
      JsonNode old,
      boolean dryRun) {
    if (!h.acceptsV1) {
      return failure(h, "it does not accept admission.k8s.io/v1 AdmissionReviews");
    }
    if (h.url.isEmpty()) {
      return failure(
          h,
          h.service.isEmpty()
              ? "its clientConfig has no url"
              : "its clientConfig names service "
                  + h.service
                  + ", which the embedded API server cannot resolve (give clientConfig.url)");
    }
    if (h.hasMatchConditions) {
      LOG.debug("webhook {}: matchConditions are not evaluated here; calling it", h.name);
    }
    String uid = UUID.randomUUID().toString();
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    ObjectNode req = review.putObject("request");
    req.put("uid", uid);
    ObjectNode kind = JSON.createObjectNode();
    kind.put("group", res.group()).put("version", res.version()).put("kind", res.kind());
    ObjectNode resource = JSON.createObjectNode();
    resource.put("group", res.group()).put("version", res.version()).put("resource", res.plural());
    req.set("kind", kind);
    req.set("resource", resource);
    if (rp.subresource() != null) {
      req.put("subResource", rp.subresource());
      req.put("requestSubResource", rp.subresource());
    }
    req.set("requestKind", kind.deepCopy());
    req.set("requestResource", resource.deepCopy());
    String name =
        rp.name() != null && !rp.name().isEmpty()
            ? rp.name()
            : (obj == null ? "" : obj.path("metadata").path("name").asText(""));
    if (!name.isEmpty()) {
      req.put("name", name);
    }
    if (rp.namespace() != null) {
      req.put("namespace", rp.namespace());
    }
    req.put("operation", op);
    ObjectNode user = req.putObject("userInfo");
    user.put("username", "system:admin");
    user.putArray("groups").add("system:masters").add("system:authenticated");
    req.set("object", obj == null ? JSON.nullNode() : obj);
    req.set("oldObject", old == null ? JSON.nullNode() : old);
    req.put("dryRun", dryRun);
    ObjectNode options = req.putObject("options");
    options.put("apiVersion", "meta.k8s.io/v1");
    options.put(
        "kind",
        switch (op) {
          case "CREATE" -> "CreateOptions";
          case "DELETE" -> "DeleteOptions";
          default -> "UpdateOptions";
        });
    HttpResponse<String> resp;
    try {
      HttpRequest post =
          HttpRequest.newBuilder(URI.create(h.url))
              .timeout(Duration.ofSeconds(h.timeoutSeconds))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(review.toString()))
              .build();
      resp = client(h).send(post, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failure(h, "interrupted");
    } catch (Exception e) {
      return failure(h, "failed to call webhook: Post \"" + h.url + "\": " + e);
    }
    if (resp.statusCode() != 200) {
      return failure(
          h, "the webhook answered HTTP " + resp.statusCode() + ": " + abbreviate(resp.body()));
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(resp.body()).path("response");
    } catch (Exception e) {
      return failure(h, "the webhook's answer is not JSON: " + abbreviate(resp.body()));
    }
    if (!answer.isObject() || !uid.equals(answer.path("uid").asText())) {
      return failure(h, "the webhook's AdmissionReview has no response for uid " + uid);
    }
    if (!answer.path("patch").asText("").isEmpty()
        && !"JSONPatch".equals(answer.path("patchType").asText())) {
      return failure(h, "the webhook's patchType must be JSONPatch");
    }
    LOG.debug("webhook {} on {} {}: allowed {}", h.name, op, rp.resource(), answer.path("allowed"));
    return answer;
  }

  /** A call that failed: null under failurePolicy Ignore, else the request fails. */
  private JsonNode failure(Hook h, String why) {
    if (h.ignoreFailure) {
      LOG.warn(
          "admission webhook \"{}\" (configuration {}) skipped (failurePolicy Ignore): {}",
          h.name,
          h.config,
          why);
      return null;
    }
    LOG.warn(
        "admission webhook \"{}\" (configuration {}) failed the request: {}",
        h.name,
        h.config,
        why);
    String message = "Internal error occurred: failed calling webhook \"" + h.name + "\": " + why;
    throw new Refusal(StrictCrudDispatcher.status(500, "InternalError", message), message);
  }

  /** The API server's error for a denial: {@code admission webhook "x" denied the request: ...}. */
  private static Refusal denial(Hook h, JsonNode status) {
    int code = status.path("code").asInt(0);
    if (code < 400) {
      code = 400;
    }
    String by = "admission webhook \"" + h.name + "\" denied the request";
    String message = status.path("message").asText("");
    String reason = status.path("reason").asText("");
    String text =
        !message.isEmpty()
            ? by + ": " + message
            : !reason.isEmpty() ? by + ": " + reason : by + " without explanation";
    ObjectNode s = JSON.createObjectNode();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", text);
    if (!reason.isEmpty()) {
      s.put("reason", reason);
    }
    if (status.has("details")) {
      s.set("details", status.get("details"));
    }
    s.put("code", code);
    return new Refusal(new MockResponse().setResponseCode(code).setBody(s.toString()), text);
  }

  private HttpClient client(Hook h) {
    return clients.computeIfAbsent(h.caBundle, Admission::newClient);
  }

  private static HttpClient newClient(String caBundle) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1);
    if (!caBundle.isEmpty()) {
      try {
        byte[] pem = Base64.getMimeDecoder().decode(caBundle);
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate c :
            CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem))) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        b.sslContext(tls);
      } catch (Exception e) {
        throw new IllegalStateException("the webhook's caBundle is not a PEM certificate: " + e, e);
      }
    }
    return b.build();
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
