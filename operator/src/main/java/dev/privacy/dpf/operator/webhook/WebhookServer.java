package dev.privacy.dpf.operator.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The admission webhook endpoint over HTTPS, served by the operator process: {@code POST
 * /mutate-pods} answers AdmissionReview v1 requests with {@link GateMutation}.
 */
public final class WebhookServer implements AutoCloseable {
  private final HttpsServer server;

  /** Listens on {@code port} (0: any free port) with the key in {@code keyStore}. */
  public WebhookServer(int port, KeyStore keyStore, char[] password) {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, password);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), null, null);
      server = HttpsServer.create(new InetSocketAddress(port), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the webhook server on port " + port + ": " + e, e);
    }
    server.createContext("/mutate-pods", this::mutatePods);
  }

  public WebhookServer start() {
    server.start();
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void mutatePods(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      send(ex, 405, "{\"message\":\"POST an AdmissionReview\"}");
      return;
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    String answer;
    try {
      answer = GateMutation.review(GateMutation.parse(body)).toString();
    } catch (IOException | RuntimeException e) {
      send(
          ex,
          400,
          "{\"message\":\"not an AdmissionReview: " + e.getMessage().replace('"', '\'') + "\"}");
      return;
    }
    send(ex, 200, answer);
  }

  private static void send(HttpExchange ex, int code, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(code, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
