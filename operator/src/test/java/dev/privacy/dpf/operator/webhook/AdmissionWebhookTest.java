package dev.privacy.dpf.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mutating webhook over real HTTPS, with AdmissionReview requests in the API server's shape:
 * the patch it returns applies cleanly and adds exactly one gate, once.
 */
class GateWebhookTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final char[] PASSWORD = "changeit".toCharArray();

  SelfSignedCertificate cert;
  WebhookServer server;
  HttpClient client;

  @BeforeEach
  void start() throws Exception {
    cert = SelfSignedCertificate.generate(List.of("localhost"), Duration.ofDays(1));
    server = new WebhookServer(0, cert.keyStore("webhook", PASSWORD), PASSWORD).start();
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", cert.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    client = HttpClient.newBuilder().sslContext(tls).build(); // trusts only our certificate
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String review(String pod) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
        + "\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\","
        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
        + "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        + "\"requestKind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
        + "\"requestResource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        + "\"namespace\":\"ml-team\",\"operation\":\"CREATE\","
        + "\"userInfo\":{\"username\":\"system:serviceaccount:kube-system:job-controller\"},"
        + "\"object\":"
        + pod
        + ",\"oldObject\":null,\"dryRun\":false,"
        + "\"options\":{\"apiVersion\":\"meta.k8s.io/v1\",\"kind\":\"CreateOptions\"}}}";
  }

  static String pod(String labels, String gates) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"generateName\":\"train-\","
        + "\"namespace\":\"ml-team\",\"labels\":"
        + labels
        + "},\"spec\":{"
        + (gates == null ? "" : "\"schedulingGates\":" + gates + ",")
        + "\"containers\":[{\"name\":\"main\",\"image\":\"trainer\","
        + "\"resources\":{\"limits\":{\"nvidia.com/gpu\":\"1\"}}}]}}";
  }

  JsonNode post(String body) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("https://localhost:" + server.port() + "/mutate-pods"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static JsonNode applied(String pod, JsonNode response) throws Exception {
    JsonNode patch =
        JSON.readTree(Base64.getDecoder().decode(response.path("response").path("patch").asText()));
    return JsonPatch.apply(patch, JSON.readTree(pod));
  }

  @Test
  void aPodNamingAClaimGetsTheGate() throws Exception {
    String pod = pod("{\"dpf.privacy.dev/claim\":\"train-ranker\",\"app\":\"train\"}", null);
    JsonNode r = post(review(pod));
    assertThat(r.path("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(r.path("response").path("uid").asText())
        .isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(r.path("response").path("allowed").asBoolean()).isTrue();
    assertThat(r.path("response").path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode gated = applied(pod, r);
    assertThat(gated.path("spec").path("schedulingGates").toString())
        .isEqualTo("[{\"name\":\"dpf.privacy.dev/budget\"}]");
  }

  @Test
  void otherGatesStayAndTheGateIsAddedOnce() throws Exception {
    String pod =
        pod("{\"dpf.privacy.dev/claim\":\"train-ranker\"}", "[{\"name\":\"example.com/quota\"}]");
    JsonNode gated = applied(pod, post(review(pod)));
    assertThat(gated.path("spec").path("schedulingGates").toString())
        .isEqualTo("[{\"name\":\"example.com/quota\"},{\"name\":\"dpf.privacy.dev/budget\"}]");
    // the same pod again, already gated: no patch
    JsonNode again = post(review(gated.toString()));
    assertThat(again.path("response").path("allowed").asBoolean()).isTrue();
    assertThat(again.path("response").has("patch")).isFalse();
  }

  @Test
  void aPodWithoutAClaimIsLeftAlone() throws Exception {
    JsonNode r = post(review(pod("{\"app\":\"web\"}", null)));
    assertThat(r.path("response").path("allowed").asBoolean()).isTrue();
    assertThat(r.path("response").has("patch")).isFalse();
  }

  @Test
  void somethingElseIsRefusedWithAReason() throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("https://localhost:" + server.port() + "/mutate-pods"))
                .POST(HttpRequest.BodyPublishers.ofString("not json"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("not an AdmissionReview");
    assertThat(cert.pem()).startsWith("-----BEGIN CERTIFICATE-----");
  }
}
