package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.operator.webhook.CertificateAuthority;
import dev.privacy.dpf.operator.webhook.WebhookServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The RBAC list kept beside the code ({@code dpf-operator-rbac.yaml}, {@link RbacList}) is true: a
 * representative run of the operator against the embedded API server (blocks; claims Pending,
 * Allocated, Consumed, Denied and deleted; gated pods released and a denied claim's pod deleted; a
 * Job that completes and one that is deleted; the webhooks with the operator's own CA; leader
 * election; Events) sends only requests that the list grants, read the way the API server's
 * authorizer reads them, and uses every grant of the list.
 */
class RbacTest {
  static final String AGENT = "dpf-operator-under-test";
  final TestCluster k = new TestCluster();
  final Set<RbacList.Request> seen = ConcurrentHashMap.newKeySet();
  KubernetesClient operatorClient;

  @AfterEach
  void close() {
    k.close();
    if (operatorClient != null) {
      operatorClient.close();
    }
  }

  /** Records every request the operator sends (told apart by its User-Agent). */
  private void record(Map<String, Boolean> inject) {
    k.server
        .dispatcher()
        .intercept(
            req -> {
              if (!AGENT.equals(req.getHeader("User-Agent"))) {
                return null;
              }
              RbacList.Request r = RbacList.Request.of(req.getMethod(), req.getPath());
              seen.add(r);
              return injected(req, r, inject);
            });
  }

  /**
   * One 409 for the first status write of a block and of a claim and the first pod patch, as
   * another writer would cause: the operator then reads the object again (the {@code get} grants).
   */
  private static MockResponse injected(
      RecordedRequest req, RbacList.Request r, Map<String, Boolean> inject) {
    String key = r.verb() + " " + r.resource();
    if (inject.containsKey(key) && inject.replace(key, false, true)) {
      return new MockResponse()
          .setResponseCode(409)
          .setBody(
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                  + "\"reason\":\"Conflict\",\"code\":409,\"message\":\"injected conflict\"}");
    }
    return null;
  }

  private DpfOperator startOperator(OperatorConfig cfg) {
    operatorClient =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(k.client.getConfiguration()).withUserAgent(AGENT).build())
            .build();
    return k.start(new DpfOperator(operatorClient, cfg));
  }

  static OperatorConfig scenarioConfig() {
    return TestCluster.config()
        .withPolicy("fcfs")
        .withLeaderElection("dpf-operator-0", "dpf-system")
        .withEvents(true)
        .with("webhook-port", "0")
        .with("webhook-namespace", "dpf-system")
        .with("webhook-hosts", "localhost")
        .with("denied-pods", "delete");
  }

  @Test
  void theOperatorSendsOnlyRequestsItsRbacListGrantsAndUsesEveryGrant() throws Exception {
    OperatorConfig cfg = scenarioConfig();
    runScenario(cfg, "ml");
    RbacList list = RbacList.load();
    Map<String, String> flags = cfg.flags();
    assertThat(refused(list, flags)).as("requests the RBAC list does not grant").isEmpty();
    Set<String> unused = new TreeSet<>();
    for (RbacList.Rule rule : list.rules()) {
      assertThat(rule.applies(flags))
          .as("%s applies in the scenario (it turns every option on)", rule.resourceKey())
          .isTrue();
      for (String verb : rule.verbs()) {
        boolean used = seen.stream().anyMatch(r -> rule.grants(r, flags) && r.verb().equals(verb));
        if (!used && !rule.unused().containsKey(verb)) {
          unused.add(rule.resourceKey() + " " + verb);
        }
        if (used) {
          assertThat(rule.unused())
              .as("%s %s is used", rule.resourceKey(), verb)
              .doesNotContainKey(verb);
        }
      }
    }
    assertThat(unused)
        .as(
            "grants the scenario never used (remove them, or say under unused why they are"
                + " needed); it sent %s",
            describe(seen))
        .isEmpty();
  }

  @Test
  void theListNamesNoWildcardAndLimitsByNameOnlyWhatRbacCanLimit() {
    for (RbacList.Rule rule : RbacList.load().rules()) {
      assertThat(rule.verbs()).as(rule.resourceKey()).doesNotContain("*").isNotEmpty();
      assertThat(rule.group()).isNotEqualTo("*");
      assertThat(rule.resource()).doesNotContain("*");
      if (rule.names() != null) {
        // resourceNames cannot limit a create, nor a list or watch of a whole collection
        assertThat(rule.verbs())
            .as("%s is limited by name", rule.resourceKey())
            .doesNotContain("create", "list", "deletecollection");
      }
      assertThat(rule.unused().keySet()).isSubsetOf(rule.verbs());
    }
  }

  @Test
  void limitedToNamespacesItSendsNoClusterWideRequestForNamespacedResources() throws Exception {
    OperatorConfig cfg = scenarioConfig().with("namespaces", "ml");
    runScenario(cfg, "ml");
    assertThat(refused(RbacList.load(), cfg.flags()))
        .as("requests the RBAC list does not grant")
        .isEmpty();
    assertThat(seen)
        .as("namespaced requests limited to the watched namespace")
        .filteredOn(
            r ->
                r.resource().startsWith("pods")
                    || r.resource().startsWith("jobs")
                    || r.resource().startsWith("privacy")
                    || r.resource().startsWith("privateblocks")
                    || r.resource().startsWith("events"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.namespace()).isEqualTo("ml"));
  }

  @Test
  void anUnreadableWebhookSecretIsReplacedThroughAGrantedUpdate() {
    record(new ConcurrentHashMap<>());
    k.client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("dpf-operator-webhook-tls")
                .withNamespace("dpf-system")
                .endMetadata()
                .addToData("tls.crt", "bm90IGEgY2VydGlmaWNhdGU=")
                .build())
        .create();
    OperatorConfig cfg =
        TestCluster.config()
            .with("webhook-port", "0")
            .with("webhook-namespace", "dpf-system")
            .with("webhook-configurations", "");
    startOperator(cfg);
    RbacList.Request update =
        new RbacList.Request("update", "", "secrets", "dpf-system", "dpf-operator-webhook-tls");
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(update));
    assertThat(RbacList.load().grant(update, cfg.flags())).isPresent();
    assertThat(refused(RbacList.load(), cfg.flags())).isEmpty();
    assertThat(
            k.client
                .secrets()
                .inNamespace("dpf-system")
                .withName("dpf-operator-webhook-tls")
                .get()
                .getData())
        .containsKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
  }

  private Set<String> refused(RbacList list, Map<String, String> flags) {
    Set<String> out = new TreeSet<>();
    for (RbacList.Request r : seen) {
      if (list.grant(r, flags).isEmpty()) {
        out.add(r.toString());
      }
    }
    return out;
  }

  private void runScenario(OperatorConfig cfg, String ns) throws Exception {
    Map<String, Boolean> inject = new ConcurrentHashMap<>();
    inject.put("update privateblocks/status", false);
    inject.put("update privacyclaims/status", false);
    inject.put("patch pods", false);
    record(inject);
    k.client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .addToLabels("dpf.privacy.dev/enforce", "true")
                .endMetadata()
                .build())
        .create();
    webhookConfigurations();
    DpfOperator op = startOperator(cfg);
    await().atMost(Duration.ofSeconds(20)).until(op::leader);

    k.create(block(ns, "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    // a Job's claim: Allocated, its pod released, run, the Job completes: Consumed
    Job train = job(ns, "train");
    pod(ns, "train-a", "train", train);
    k.create(claim(ns, "train", "{dataset: clicks}", "{epsDelta: {epsilon: 0.3}}", ""));
    k.awaitPhase(ns, "train", ClaimPhase.Allocated);
    awaitReleased(ns, "train-a");
    // a claim that must wait while train holds its grant: Pending
    k.create(claim(ns, "wait", "{dataset: clicks}", "{epsDelta: {epsilon: 0.8}}", ""));
    k.awaitPhase(ns, "wait", ClaimPhase.Pending);
    // the webhooks read the namespace and the claim
    webhooksDecide(op, ns);
    kubelet(ns, "train-a", "Succeeded");
    jobEnds(ns, train);
    k.awaitPhase(ns, "train", ClaimPhase.Consumed);
    await().atMost(Duration.ofSeconds(10)).until(() -> finalizers(ns, "train-a").isEmpty());
    // a claim whose Job is deleted after its pod ran: Consumed (the Job is read, and is gone)
    Job lost = job(ns, "lost");
    pod(ns, "lost-a", "lost", lost);
    k.create(claim(ns, "lost", "{dataset: clicks}", "{epsDelta: {epsilon: 0.1}}", ""));
    k.awaitPhase(ns, "lost", ClaimPhase.Allocated);
    awaitReleased(ns, "lost-a");
    kubelet(ns, "lost-a", "Succeeded");
    k.client.resource(lost).delete();
    k.awaitPhase(ns, "lost", ClaimPhase.Consumed);
    // a claim that can never fit: Denied, its pod deleted (--denied-pods=delete), an Event
    pod(ns, "big-a", "big", null);
    k.create(claim(ns, "big", "{dataset: clicks}", "{epsDelta: {epsilon: 1.5}}", ""));
    k.awaitPhase(ns, "big", ClaimPhase.Denied);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> k.client.pods().inNamespace(ns).withName("big-a").get() == null);
    // a claim deleted before any pod ran: Released, its finalizer removed
    k.create(claim(ns, "gone", "{dataset: clicks}", "{epsDelta: {epsilon: 0.05}}", ""));
    k.awaitPhase(ns, "gone", ClaimPhase.Allocated);
    k.client.resource(k.claim(ns, "gone")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.claim(ns, "gone") == null);
    // a block deleted once nothing holds budget on it: its finalizer goes
    k.client.resource(k.block(ns, "day-1")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> k.block(ns, "day-1") == null);
    // the Events went out
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !k.client.v1().events().inNamespace(ns).list().getItems().isEmpty());
    assertThat(inject).as("each injected conflict happened").doesNotContainValue(false);
  }

  private void webhookConfigurations() {
    k.client
        .resource(
            new MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("dpf-operator")
                .endMetadata()
                .addNewWebhook()
                .withName("gate.pods.dpf.privacy.dev")
                .withNewClientConfig()
                .withUrl("https://localhost/mutate-pods")
                .endClientConfig()
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .endWebhook()
                .build())
        .create();
    k.client
        .resource(
            new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("dpf-operator")
                .endMetadata()
                .addNewWebhook()
                .withName("claimed.pods.dpf.privacy.dev")
                .withNewClientConfig()
                .withUrl("https://localhost/validate-pods")
                .endClientConfig()
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .endWebhook()
                .build())
        .create();
  }

  /** A pod that names a Pending claim is allowed; a GPU pod without a claim is refused. */
  private void webhooksDecide(DpfOperator op, String ns) throws Exception {
    String bundle =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    k.client
                        .admissionRegistration()
                        .v1()
                        .mutatingWebhookConfigurations()
                        .withName("dpf-operator")
                        .get()
                        .getWebhooks()
                        .get(0)
                        .getClientConfig()
                        .getCaBundle(),
                b -> b != null && !b.isEmpty());
    HttpClient https =
        WebhookWiringTest.trusting(
            new CertificateAuthority(
                CertificateAuthority.certificates(
                        new String(Base64.getDecoder().decode(bundle), StandardCharsets.US_ASCII))
                    .get(0),
                null));
    String gpuPod =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":"
            + "{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":{\"limits\":"
            + "{\"nvidia.com/gpu\":\"1\"}}}]}}";
    String claimed =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"q\",\"labels\":"
            + "{\"dpf.privacy.dev/claim\":\"wait\"}},\"spec\":{\"schedulingGates\":[{\"name\":"
            + "\"dpf.privacy.dev/budget\"}],\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}";
    String placed =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"r\"},\"spec\":"
            + "{\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}";
    assertThat(allowed(https, op, WebhookWiringTest.review(ns, gpuPod))).isFalse();
    assertThat(allowed(https, op, WebhookWiringTest.review(ns, claimed))).isTrue();
    // a pod placed on a node by name: the webhook reads the node's labels
    assertThat(allowed(https, op, WebhookWiringTest.review(ns, placed))).isTrue();
  }

  private static boolean allowed(HttpClient https, DpfOperator op, String review) throws Exception {
    HttpResponse<String> r =
        https.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "https://localhost:" + op.webhookPort() + WebhookServer.VALIDATE_PODS))
                .POST(HttpRequest.BodyPublishers.ofString(review))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return WebhookWiringTest.JSON.readTree(r.body()).path("response").path("allowed").asBoolean();
  }

  private Job job(String ns, String name) {
    return k.client
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels(DpfApi.LABEL_CLAIM, name)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("trainer")
                .withImage("trainer")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private void pod(String ns, String name, String claim, Job job) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .addToLabels(DpfApi.LABEL_CLAIM, claim)
            .endMetadata()
            .withNewSpec()
            .addNewSchedulingGate(DpfApi.GATE_BUDGET)
            .addNewContainer()
            .withName("trainer")
            .withImage("trainer")
            .endContainer()
            .endSpec();
    if (job != null) {
      b.editMetadata()
          .addNewOwnerReference()
          .withApiVersion("batch/v1")
          .withKind("Job")
          .withName(job.getMetadata().getName())
          .withUid(job.getMetadata().getUid())
          .withController(true)
          .endOwnerReference()
          .endMetadata();
    }
    k.client.resource(b.build()).create();
  }

  private List<String> finalizers(String ns, String pod) {
    Pod p = k.client.pods().inNamespace(ns).withName(pod).get();
    return p == null || p.getMetadata().getFinalizers() == null
        ? List.of()
        : p.getMetadata().getFinalizers();
  }

  private void awaitReleased(String ns, String pod) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Pod p = k.client.pods().inNamespace(ns).withName(pod).get();
              return p.getSpec().getSchedulingGates() == null
                  || p.getSpec().getSchedulingGates().isEmpty();
            });
  }

  private void kubelet(String ns, String pod, String phase) {
    k.client
        .pods()
        .inNamespace(ns)
        .withName(pod)
        .edit(
            p -> {
              p.getSpec().setNodeName("node-1");
              p.setStatus(
                  new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                      .withPhase(phase)
                      .withStartTime("2026-12-01T00:00:00Z")
                      .build());
              return p;
            });
  }

  private void jobEnds(String ns, Job job) {
    k.client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withName(job.getMetadata().getName())
        .edit(
            j -> {
              j.setStatus(
                  new JobStatusBuilder()
                      .addNewCondition()
                      .withType("Complete")
                      .withStatus("True")
                      .endCondition()
                      .build());
              return j;
            });
  }

  /** For a failing run: what was seen, grouped. */
  static String describe(Set<RbacList.Request> seen) {
    Map<String, Set<String>> by = new TreeMap<>();
    for (RbacList.Request r : seen) {
      by.computeIfAbsent(r.resourceKey(), x -> new TreeSet<>()).add(r.verb());
    }
    return by.toString();
  }
}
