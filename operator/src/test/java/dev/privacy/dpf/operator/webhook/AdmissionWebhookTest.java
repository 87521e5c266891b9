package dev.privacy.dpf.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.validation.ResourceValidator;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admission webhooks over real HTTPS, with AdmissionReview requests in the API server's shape:
 * the mutating patch applies cleanly and adds exactly one gate, once; every refusal of the
 * validating webhooks comes with its message; what must pass passes.
 */
public class AdmissionWebhookTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The cluster as the pod webhook sees it: namespace labels and claims, set per test. */
  final Map<String, Map<String, String>> namespaces = new HashMap<>();

  final Map<String, PodAdmission.ClaimState> claims = new HashMap<>();

  final Map<String, Map<String, String>> nodes =
      Map.of("gpu-7", Map.of("dpf.privacy.dev/protected", "true"), "cpu-1", Map.of());

  CertificateAuthority ca;
  WebhookServer server;
  HttpClient client;

  @BeforeEach
  void start() throws Exception {
    namespaces.put("ml-team", Map.of("dpf.privacy.dev/enforce", "true"));
    namespaces.put("sandbox", Map.of());
    ca = CertificateAuthority.generate("test-ca", Duration.ofDays(1));
    PodAdmission pods =
        new PodAdmission(
            new PodAdmission.Cluster() {
              @Override
              public Map<String, String> namespaceLabels(String namespace) {
                return namespaces.getOrDefault(namespace, Map.of());
              }

              @Override
              public PodAdmission.ClaimState claim(String namespace, String name) {
                return claims.get(namespace + "/" + name);
              }

              @Override
              public Map<String, String> nodeLabels(String name) {
                return nodes.getOrDefault(name, Map.of());
              }
            },
            new PodAdmission.Settings(
                List.of("nvidia.com/gpu", "amd.com/gpu"), "dpf.privacy.dev/protected=true"));
    ResourceAdmission resources = new ResourceAdmission(new ResourceValidator());
    server =
        new WebhookServer(
                0,
                ReloadingKeyManager.of(
                    ca.issue(List.of("localhost", "127.0.0.1"), Duration.ofDays(1))),
                Map.of(
                    WebhookServer.MUTATE_PODS, GateMutation::review,
                    WebhookServer.VALIDATE_PODS, pods::review,
                    WebhookServer.VALIDATE_RESOURCES, resources::review))
            .start();
    client = trusting(ca);
  }

  /** A client that trusts only {@code ca}, as the API server trusts the caBundle. */
  public static HttpClient trusting(CertificateAuthority ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String review(
      String kind,
      String group,
      String resource,
      String op,
      String ns,
      String object,
      String oldObject) {
    String gvk =
        "{\"group\":\""
            + group
            + "\",\"version\":\""
            + (group.isEmpty() ? "v1" : "v1alpha1")
            + "\",\"kind\":\""
            + kind
            + "\"}";
    String gvr =
        "{\"group\":\""
            + group
            + "\",\"version\":\""
            + (group.isEmpty() ? "v1" : "v1alpha1")
            + "\",\"resource\":\""
            + resource
            + "\"}";
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
        + "\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\","
        + "\"kind\":"
        + gvk
        + ",\"resource\":"
        + gvr
        + ","
        + "\"requestKind\":"
        + gvk
        + ",\"requestResource\":"
        + gvr
        + ","
        + "\"namespace\":\""
        + ns
        + "\",\"operation\":\""
        + op
        + "\","
        + "\"userInfo\":{\"username\":\"system:serviceaccount:kube-system:job-controller\"},"
        + "\"object\":"
        + object
        + ",\"oldObject\":"
        + oldObject
        + ",\"dryRun\":false,"
        + "\"options\":{\"apiVersion\":\"meta.k8s.io/v1\",\"kind\":\""
        + ("CREATE".equals(op) ? "CreateOptions" : "UpdateOptions")
        + "\"}}}";
  }

  static String podReview(String op, String ns, String pod, String old) {
    return review("Pod", "", "pods", op, ns, pod, old);
  }

  static String review(String pod) {
    return podReview("CREATE", "ml-team", pod, "null");
  }

  /**
   * A pod in {@code ns}; {@code labels}, {@code gates} and {@code spec} (extra spec fields) are
   * JSON.
   */
  static String pod(String ns, String labels, String gates, String resources, String spec) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"generateName\":\"train-\","
        + "\"namespace\":\""
        + ns
        + "\",\"labels\":"
        + labels
        + "},\"spec\":{"
        + (gates == null ? "" : "\"schedulingGates\":" + gates + ",")
        + (spec == null ? "" : spec + ",")
        + "\"containers\":[{\"name\":\"trainer\",\"image\":\"trainer\""
        + (resources == null ? "" : ",\"resources\":" + resources)
        + "}]}}";
  }

  static String pod(String labels, String gates) {
    return pod("ml-team", labels, gates, "{\"limits\":{\"nvidia.com/gpu\":\"1\"}}", null);
  }

  static final String GATE = "[{\"name\":\"dpf.privacy.dev/budget\"}]";
  static final String CLAIMED = "{\"dpf.privacy.dev/claim\":\"train-ranker\"}";
  static final String GPU = "{\"limits\":{\"nvidia.com/gpu\":\"1\"}}";

  JsonNode post(String path, String body) throws Exception {
    HttpResponse<String> r = send(path, body);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode review = JSON.readTree(r.body());
    assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(review.path("response").path("uid").asText())
        .isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    return review.path("response");
  }

  HttpResponse<String> send(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode applied(String pod, JsonNode response) throws Exception {
    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
    return JsonPatch.apply(patch, JSON.readTree(pod));
  }

  /** The message of a refusal (and that it is one, with {@code code}). */
  String refused(String path, String body, int code) throws Exception {
    JsonNode r = post(path, body);
    assertThat(r.path("allowed").asBoolean()).as(r.toString()).isFalse();
    assertThat(r.path("status").path("code").asInt()).isEqualTo(code);
    return r.path("status").path("message").asText();
  }

  void allowed(String path, String body) throws Exception {
    JsonNode r = post(path, body);
    assertThat(r.path("allowed").asBoolean()).as(r.toString()).isTrue();
  }

  // -------------------------------------------------------------------------------------------
  // mutating

  @Test
  void aPodNamingAClaimGetsTheGate() throws Exception {
    String pod = pod("{\"dpf.privacy.dev/claim\":\"train-ranker\",\"app\":\"train\"}", null);
    JsonNode r = post(WebhookServer.MUTATE_PODS, review(pod));
    assertThat(r.path("allowed").asBoolean()).isTrue();
    assertThat(r.path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode gated = applied(pod, r);
    assertThat(gated.path("spec").path("schedulingGates").toString()).isEqualTo(GATE);
    // nothing else changed
    ((com.fasterxml.jackson.databind.node.ObjectNode) gated.path("spec")).remove("schedulingGates");
    assertThat(gated).isEqualTo(JSON.readTree(pod));
  }

  @Test
  void otherGatesStayAndTheGateIsAddedOnce() throws Exception {
    String pod = pod(CLAIMED, "[{\"name\":\"example.com/quota\"}]");
    JsonNode gated = applied(pod, post(WebhookServer.MUTATE_PODS, review(pod)));
    assertThat(gated.path("spec").path("schedulingGates").toString())
        .isEqualTo("[{\"name\":\"example.com/quota\"},{\"name\":\"dpf.privacy.dev/budget\"}]");
    // the same pod again, already gated: no patch
    JsonNode again = post(WebhookServer.MUTATE_PODS, review(gated.toString()));
    assertThat(again.path("allowed").asBoolean()).isTrue();
    assertThat(again.has("patch")).isFalse();
  }

  @Test
  void aPodWithoutAClaimAndAnUpdateAreLeftAlone() throws Exception {
    JsonNode r = post(WebhookServer.MUTATE_PODS, review(pod("{\"app\":\"web\"}", null)));
    assertThat(r.path("allowed").asBoolean()).isTrue();
    assertThat(r.has("patch")).isFalse();
    // gates can only be set at creation: an update is never patched
    String p = pod(CLAIMED, null);
    JsonNode u = post(WebhookServer.MUTATE_PODS, podReview("UPDATE", "ml-team", p, p));
    assertThat(u.path("allowed").asBoolean()).isTrue();
    assertThat(u.has("patch")).isFalse();
  }

  @Test
  void somethingElseIsRefusedWithAReason() throws Exception {
    HttpResponse<String> r = send(WebhookServer.MUTATE_PODS, "not json");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("not an AdmissionReview");
    HttpResponse<String> get =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("https://localhost:" + server.port() + WebhookServer.VALIDATE_PODS))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
  }

  // -------------------------------------------------------------------------------------------
  // validating: pods

  @Test
  void aGpuPodWithoutAClaimIsRefusedInAnEnforcedNamespaceOnly() throws Exception {
    String msg = refused(WebhookServer.VALIDATE_PODS, review(pod("{\"app\":\"x\"}", null)), 403);
    assertThat(msg)
        .isEqualTo(
            "pod train-<generated> requests nvidia.com/gpu (container trainer), and namespace"
                + " ml-team requires a privacy budget claim for that (it is labelled"
                + " dpf.privacy.dev/enforce=true): add the label dpf.privacy.dev/claim:"
                + " <claim-name> naming a PrivacyClaim in ml-team (for a Job, under"
                + " spec.template.metadata.labels)");
    allowed(
        WebhookServer.VALIDATE_PODS,
        podReview("CREATE", "sandbox", pod("sandbox", "{}", null, GPU, null), "null"));
    // an AMD GPU in requests counts too; a quantity of 0 does not
    String amd = pod("ml-team", "{}", null, "{\"requests\":{\"amd.com/gpu\":\"2\"}}", null);
    assertThat(refused(WebhookServer.VALIDATE_PODS, review(amd), 403))
        .startsWith("pod train-<generated> requests amd.com/gpu (container trainer)");
    String none = pod("ml-team", "{}", null, "{\"limits\":{\"nvidia.com/gpu\":\"0\"}}", null);
    allowed(WebhookServer.VALIDATE_PODS, review(none));
    allowed(WebhookServer.VALIDATE_PODS, review(pod("ml-team", "{}", null, null, null)));
  }

  @Test
  void aPodTargetingProtectedNodesWithoutAClaimIsRefused() throws Exception {
    String bySelector =
        pod(
            "ml-team",
            "{}",
            null,
            null,
            "\"nodeSelector\":{\"dpf.privacy.dev/protected\":\"true\"}");
    assertThat(refused(WebhookServer.VALIDATE_PODS, review(bySelector), 403))
        .startsWith(
            "pod train-<generated> targets the protected nodes (nodeSelector"
                + " dpf.privacy.dev/protected=true), and namespace ml-team requires");
    String byAffinity = pod("ml-team", "{}", null, null, affinity("In", "[\"true\"]"));
    assertThat(refused(WebhookServer.VALIDATE_PODS, review(byAffinity), 403))
        .contains("(required node affinity dpf.privacy.dev/protected In [true])");
    assertThat(
            refused(
                WebhookServer.VALIDATE_PODS,
                review(pod("ml-team", "{}", null, null, affinity("Exists", "[]"))),
                403))
        .contains("(required node affinity dpf.privacy.dev/protected Exists)");
    allowed(
        WebhookServer.VALIDATE_PODS,
        review(pod("ml-team", "{}", null, null, affinity("NotIn", "[\"true\"]"))));
    allowed(
        WebhookServer.VALIDATE_PODS,
        review(
            pod(
                "ml-team",
                "{}",
                null,
                null,
                "\"nodeSelector\":{\"dpf.privacy.dev/protected\":\"false\"}")));
    // placed on a protected node directly, or by the node's name in a required affinity
    assertThat(
            refused(
                WebhookServer.VALIDATE_PODS,
                review(pod("ml-team", "{}", null, null, "\"nodeName\":\"gpu-7\"")),
                403))
        .startsWith("pod train-<generated> is placed on the protected node gpu-7 (spec.nodeName)");
    allowed(
        WebhookServer.VALIDATE_PODS,
        review(pod("ml-team", "{}", null, null, "\"nodeName\":\"cpu-1\"")));
    String byField =
        "\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
            + "{\"nodeSelectorTerms\":[{\"matchFields\":[{\"key\":\"metadata.name\","
            + "\"operator\":\"In\",\"values\":[\"cpu-1\",\"gpu-7\"]}]}]}}}";
    assertThat(
            refused(
                WebhookServer.VALIDATE_PODS,
                review(pod("ml-team", "{}", null, null, byField)),
                403))
        .contains("targets the protected node gpu-7 (required node affinity field metadata.name)");
    // with a claim, the same pod passes: it waits at the gate for its budget
    allowed(
        WebhookServer.VALIDATE_PODS,
        review(pod("ml-team", CLAIMED, GATE, GPU, affinity("In", "[\"true\"]"))));
  }

  static String affinity(String op, String values) {
    return "\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
        + "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"dpf.privacy.dev/protected\","
        + "\"operator\":\""
        + op
        + "\",\"values\":"
        + values
        + "}]}]}}}";
  }

  @Test
  void aPodNamingAFinishedClaimIsRefused() throws Exception {
    claims.put(
        "ml-team/train-ranker",
        new PodAdmission.ClaimState(ClaimPhase.Consumed, "Consumed", false));
    assertThat(refused(WebhookServer.VALIDATE_PODS, review(pod(CLAIMED, GATE)), 403))
        .isEqualTo(
            "pod train-<generated> names claim ml-team/train-ranker, which is already Consumed"
                + " and grants no more budget: create a new PrivacyClaim and set the label"
                + " dpf.privacy.dev/claim to its name");
    claims.put(
        "ml-team/train-ranker",
        new PodAdmission.ClaimState(ClaimPhase.Denied, "Infeasible", false));
    assertThat(refused(WebhookServer.VALIDATE_PODS, review(pod(CLAIMED, GATE)), 403))
        .contains("which is already Denied (Infeasible)");
    claims.put(
        "ml-team/train-ranker", new PodAdmission.ClaimState(ClaimPhase.Allocated, "Granted", true));
    assertThat(refused(WebhookServer.VALIDATE_PODS, review(pod(CLAIMED, GATE)), 403))
        .contains("which is being deleted");
    // Pending, Allocated, or not there yet (the claim may be applied after its Job): fine
    claims.put(
        "ml-team/train-ranker",
        new PodAdmission.ClaimState(ClaimPhase.Pending, "WaitingForBudget", false));
    allowed(WebhookServer.VALIDATE_PODS, review(pod(CLAIMED, GATE)));
    claims.clear();
    allowed(WebhookServer.VALIDATE_PODS, review(pod(CLAIMED, GATE)));
  }

  @Test
  void aBadClaimLabelAGateWithoutALabelAndALabelWithoutTheGateAreRefused() throws Exception {
    assertThat(
            refused(
                WebhookServer.VALIDATE_PODS,
                review(pod("{\"dpf.privacy.dev/claim\":\"Train_Ranker\"}", GATE)),
                403))
        .isEqualTo(
            "label dpf.privacy.dev/claim of pod train-<generated> must be the name of a"
                + " PrivacyClaim (lower-case letters, digits, '-' and '.', starting and ending"
                + " with a letter or digit), got \"Train_Ranker\"");
    assertThat(
            refused(
                WebhookServer.VALIDATE_PODS,
                podReview("CREATE", "sandbox", pod("sandbox", "{}", GATE, null, null), "null"),
                403))
        .isEqualTo(
            "pod train-<generated> carries the scheduling gate dpf.privacy.dev/budget but no"
                + " label dpf.privacy.dev/claim, so nothing would ever release it: add the label"
                + " dpf.privacy.dev/claim: <claim-name>, or remove the gate");
    // the mutating webhook did not run in an enforced namespace: the pod would start unbudgeted
    assertThat(refused(WebhookServer.VALIDATE_PODS, review(pod(CLAIMED, null)), 403))
        .contains("was not given the scheduling gate dpf.privacy.dev/budget");
    allowed(
        WebhookServer.VALIDATE_PODS,
        podReview("CREATE", "sandbox", pod("sandbox", CLAIMED, null, null, null), "null"));
  }

  @Test
  void onUpdateTheClaimLabelIsFixedAndOnlyAnAllocatedClaimLetsTheGateGo() throws Exception {
    String gated = pod(CLAIMED, GATE);
    String released = pod(CLAIMED, "[]");
    String other = pod("{\"dpf.privacy.dev/claim\":\"other\"}", GATE);
    assertThat(
            refused(WebhookServer.VALIDATE_PODS, podReview("UPDATE", "ml-team", other, gated), 403))
        .isEqualTo(
            "label dpf.privacy.dev/claim of pod train-<generated> cannot change once set (it was"
                + " \"train-ranker\", now \"other\"): create a new pod for another claim");
    claims.put(
        "ml-team/train-ranker",
        new PodAdmission.ClaimState(ClaimPhase.Pending, "WaitingForBudget", false));
    assertThat(
            refused(
                WebhookServer.VALIDATE_PODS, podReview("UPDATE", "ml-team", released, gated), 403))
        .isEqualTo(
            "the scheduling gate dpf.privacy.dev/budget of pod train-<generated> is removed by the"
                + " DPF operator once claim ml-team/train-ranker is Allocated (it is Pending): do"
                + " not remove it by hand");
    claims.put(
        "ml-team/train-ranker",
        new PodAdmission.ClaimState(ClaimPhase.Allocated, "Granted", false));
    allowed(WebhookServer.VALIDATE_PODS, podReview("UPDATE", "ml-team", released, gated));
    // other updates (labels, the finalizer) pass
    allowed(WebhookServer.VALIDATE_PODS, podReview("UPDATE", "ml-team", gated, gated));
    // a gate on a pod that names no claim binds nothing: its removal passes
    String unlabelled = pod("{\"app\":\"x\"}", GATE);
    allowed(
        WebhookServer.VALIDATE_PODS,
        podReview("UPDATE", "ml-team", pod("{\"app\":\"x\"}", "[]"), unlabelled));
  }

  // -------------------------------------------------------------------------------------------
  // validating: blocks and claims

  static String claimJson(String demand) {
    return "{\"apiVersion\":\"dpf.privacy.dev/v1alpha1\",\"kind\":\"PrivacyClaim\","
        + "\"metadata\":{\"name\":\"train\",\"namespace\":\"ml-team\"},\"spec\":{"
        + "\"blocks\":{\"dataset\":\"clicks\"},\"demand\":"
        + demand
        + "}}";
  }

  static String claimReview(String op, String obj, String old) {
    return review("PrivacyClaim", "dpf.privacy.dev", "privacyclaims", op, "ml-team", obj, old);
  }

  @Test
  void anInvalidClaimOrBlockIsRefusedWithTheValidatorsMessage() throws Exception {
    String bad = claimJson("{\"epsDelta\":{\"epsilon\":-0.5}}");
    assertThat(refused(WebhookServer.VALIDATE_RESOURCES, claimReview("CREATE", bad, "null"), 422))
        .startsWith("PrivacyClaim ml-team/train is invalid: ")
        .contains("spec.demand.epsDelta.epsilon")
        .contains("-0.5");
    allowed(
        WebhookServer.VALIDATE_RESOURCES,
        claimReview("CREATE", claimJson("{\"epsDelta\":{\"epsilon\":0.5}}"), "null"));
    String block =
        "{\"apiVersion\":\"dpf.privacy.dev/v1alpha1\",\"kind\":\"PrivateBlock\","
            + "\"metadata\":{\"name\":\"day-1\",\"namespace\":\"data\"},\"spec\":{"
            + "\"dataset\":\"clicks\",\"budget\":{\"epsilon\":1.0,\"delta\":1.5}}}";
    assertThat(
            refused(
                WebhookServer.VALIDATE_RESOURCES,
                review(
                    "PrivateBlock",
                    "dpf.privacy.dev",
                    "privateblocks",
                    "CREATE",
                    "data",
                    block,
                    "null"),
                422))
        .startsWith("PrivateBlock data/day-1 is invalid: ")
        .contains("spec.budget.delta");
  }

  @Test
  void anUpdateThatLeavesTheSpecOrDeletesIsNeverRefused() throws Exception {
    String bad = claimJson("{\"epsDelta\":{\"epsilon\":-0.5}}");
    // a label or finalizer change of an object a newer, stricter validator would refuse
    allowed(WebhookServer.VALIDATE_RESOURCES, claimReview("UPDATE", bad, bad));
    String deleting =
        bad.replace(
            "\"namespace\":\"ml-team\"",
            "\"namespace\":\"ml-team\",\"deletionTimestamp\":\"2026-12-01T00:00:00Z\"");
    allowed(
        WebhookServer.VALIDATE_RESOURCES,
        claimReview("UPDATE", deleting, claimJson("{\"epsDelta\":{\"epsilon\":0.5}}")));
    // a spec change is checked
    assertThat(
            refused(
                WebhookServer.VALIDATE_RESOURCES,
                claimReview("UPDATE", bad, claimJson("{\"epsDelta\":{\"epsilon\":0.5}}")),
                422))
        .contains("spec.demand.epsDelta.epsilon");
  }
}
