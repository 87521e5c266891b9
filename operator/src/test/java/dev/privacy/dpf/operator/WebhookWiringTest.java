package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.operator.webhook.CertificateAuthority;
import dev.privacy.dpf.operator.webhook.WebhookServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator process's webhooks as installed: its own CA written into the configuration's
 * caBundle, HTTPS trusted through that bundle alone, and decisions made on the live cluster
 * (namespace labels, the phase the scheduler wrote on a claim).
 */
class WebhookWiringTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final TestCluster k = new TestCluster();

  @AfterEach
  void close() {
    k.close();
  }

  @Test
  void theOperatorServesItsWebhooksTrustedThroughTheCaBundleAndDecidesOnTheLiveCluster()
      throws Exception {
    k.client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("ml")
                .addToLabels("dpf.privacy.dev/enforce", "true")
                .endMetadata()
                .build())
        .create();
    k.client
        .resource(new NamespaceBuilder().withNewMetadata().withName("open").endMetadata().build())
        .create();
    k.client
        .resource(
            new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("dpf-operator")
                .endMetadata()
                .addNewWebhook()
                .withName("pods.dpf.privacy.dev")
                .withNewClientConfig()
                .withUrl("https://localhost/validate-pods")
                .endClientConfig()
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .endWebhook()
                .build())
        .create();
    DpfOperator op =
        k.start(
            TestCluster.config()
                .withPolicy("fcfs")
                .with("webhook-port", "0")
                .with("webhook-namespace", "dpf-system")
                .with("webhook-hosts", "localhost"));
    String bundle =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    k.client
                        .admissionRegistration()
                        .v1()
                        .validatingWebhookConfigurations()
                        .withName("dpf-operator")
                        .get()
                        .getWebhooks()
                        .get(0)
                        .getClientConfig()
                        .getCaBundle(),
                b -> b != null && !b.isEmpty());
    CertificateAuthority ca =
        new CertificateAuthority(
            CertificateAuthority.certificates(
                    new String(Base64.getDecoder().decode(bundle), StandardCharsets.US_ASCII))
                .get(0),
            null);
    HttpClient https = trusting(ca);

    // the enforced namespace is read from the cluster
    String gpuPod =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
            + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":{\"limits\":"
            + "{\"nvidia.com/gpu\":\"1\"}}}]}}";
    assertThat(allowed(https, op, WebhookServer.VALIDATE_PODS, review("ml", gpuPod))).isFalse();
    assertThat(allowed(https, op, WebhookServer.VALIDATE_PODS, review("open", gpuPod))).isTrue();

    // a claim the operator consumed refuses new pods
    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    k.create(claim("ml", "train", "{dataset: clicks}", "{epsDelta: {epsilon: 0.2}}", ""));
    k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    String claimed =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"q\","
            + "\"labels\":{\"dpf.privacy.dev/claim\":\"train\"}},\"spec\":{\"schedulingGates\":"
            + "[{\"name\":\"dpf.privacy.dev/budget\"}],\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}";
    assertThat(allowed(https, op, WebhookServer.VALIDATE_PODS, review("ml", claimed))).isTrue();
    k.reportSpend("ml", "train", "{epsDelta: {epsilon: 0.2}}");
    k.awaitPhase("ml", "train", ClaimPhase.Consumed);
    assertThat(allowed(https, op, WebhookServer.VALIDATE_PODS, review("ml", claimed))).isFalse();
    assertThat(lastMessage).contains("which is already Consumed");

    // the mutating route gates it
    JsonNode m =
        post(
            https,
            op,
            WebhookServer.MUTATE_PODS,
            review(
                "open",
                claimed.replace(
                    "\"schedulingGates\":[{\"name\":\"dpf.privacy.dev/budget\"}],", "")));
    assertThat(m.path("response").path("patchType").asText()).isEqualTo("JSONPatch");
  }

  String lastMessage;

  boolean allowed(HttpClient https, DpfOperator op, String path, String body) throws Exception {
    JsonNode r = post(https, op, path, body).path("response");
    lastMessage = r.path("status").path("message").asText();
    return r.path("allowed").asBoolean();
  }

  JsonNode post(HttpClient https, DpfOperator op, String path, String body) throws Exception {
    HttpResponse<String> r =
        https.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + op.webhookPort() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static String review(String ns, String pod) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
        + "\"uid\":\"u-1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
        + "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        + "\"namespace\":\""
        + ns
        + "\",\"operation\":\"CREATE\",\"object\":"
        + pod
        + "}}";
  }

  static HttpClient trusting(CertificateAuthority ca) throws Exception {
    return dev.privacy.dpf.operator.webhook.AdmissionWebhookTest.trusting(ca);
  }
}
