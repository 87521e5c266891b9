package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.privacy.dpf.operator.webhook.CertificateAuthority;
import dev.privacy.dpf.operator.webhook.ReloadingKeyManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * An admission webhook for tests, over HTTPS with a self-signed certificate for {@code localhost}:
 * every AdmissionReview it gets is recorded, and {@code decide} turns its request into the response
 * ({@link #allow}, {@link #patch}, {@link #deny}).
 */
final class TestWebhook implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpsServer server;
  private final CertificateAuthority ca;
  final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private volatile Function<JsonNode, ObjectNode> decide = r -> allow();

  TestWebhook() throws Exception {
    ca = CertificateAuthority.generate("test-webhook-ca", Duration.ofDays(1));
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(
        new javax.net.ssl.KeyManager[] {
          ReloadingKeyManager.of(ca.issue(List.of("localhost"), Duration.ofDays(1)))
        },
        null,
        null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            JsonNode review;
            try (InputStream in = ex.getRequestBody()) {
              review = JSON.readTree(in);
            }
            JsonNode req = review.path("request");
            requests.add(req);
            ObjectNode resp = decide.apply(req);
            resp.put("uid", req.path("uid").asText());
            ObjectNode answer = JSON.createObjectNode();
            answer.put("apiVersion", "admission.k8s.io/v1");
            answer.put("kind", "AdmissionReview");
            answer.set("response", resp);
            byte[] b = answer.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(b);
            }
          }
        });
    server.start();
  }

  void decide(Function<JsonNode, ObjectNode> f) {
    this.decide = f;
  }

  String url(String path) {
    return "https://localhost:" + server.getAddress().getPort() + path;
  }

  String caBundle() {
    return Base64.getEncoder().encodeToString(ca.pem().getBytes(StandardCharsets.US_ASCII));
  }

  static ObjectNode allow() {
    return JSON.createObjectNode().put("allowed", true);
  }

  /** Allowed, with a JSON Patch (given as JSON text). */
  static ObjectNode patch(String jsonPatch) {
    return allow()
        .put("patchType", "JSONPatch")
        .put(
            "patch",
            Base64.getEncoder().encodeToString(jsonPatch.getBytes(StandardCharsets.UTF_8)));
  }

  static ObjectNode deny(int code, String message) {
    ObjectNode r = JSON.createObjectNode().put("allowed", false);
    r.putObject("status").put("code", code).put("message", message);
    return r;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
