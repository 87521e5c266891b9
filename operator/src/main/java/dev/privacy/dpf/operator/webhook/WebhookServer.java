package dev.privacy.dpf.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhooks over HTTPS, served by the operator process: each path answers
 * AdmissionReview v1 requests ({@code POST}, JSON) with its handler's response. The key comes from
 * a {@link ReloadingKeyManager}, so a renewed certificate is served without a restart.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The paths the operator serves, as its webhook configurations name them. */
  public static final String MUTATE_PODS = "/mutate-pods";

  public static final String VALIDATE_PODS = "/validate-pods";
  public static final String VALIDATE_RESOURCES = "/validate-resources";

  private final HttpsServer server;
  private final ExecutorService pool;

  /** Listens on {@code port} (0: any free port) with {@code keys}, answering {@code routes}. */
  public WebhookServer(
      int port, ReloadingKeyManager keys, Map<String, Function<JsonNode, JsonNode>> routes) {
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {keys}, null, null);
      server = HttpsServer.create(new InetSocketAddress(port), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot listen on --webhook-port=" + port + ": " + e.getMessage(), e);
    }
    routes.forEach((path, handler) -> server.createContext(path, ex -> answer(ex, handler)));
    pool =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "dpf-webhook");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(pool);
  }

  public WebhookServer start() {
    server.start();
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange ex, Function<JsonNode, JsonNode> handler)
      throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      send(ex, 405, "{\"message\":\"POST an AdmissionReview\"}");
      return;
    }
    JsonNode request;
    try (InputStream in = ex.getRequestBody()) {
      request = JSON.readTree(in.readAllBytes());
      if (request == null || !request.path("request").isObject()) {
        throw new IOException("no request in it");
      }
    } catch (IOException e) {
      send(
          ex,
          400,
          "{\"message\":\"not an AdmissionReview: "
              + String.valueOf(e.getMessage()).replace('"', '\'')
              + "\"}");
      return;
    }
    JsonNode answer;
    try {
      answer = handler.apply(request);
    } catch (RuntimeException e) {
      // a decision that cannot be made refuses (the configurations fail closed anyway)
      LOG.warn("admission of {} failed", ex.getRequestURI().getPath(), e);
      answer =
          AdmissionReviews.deny(
              request,
              500,
              "InternalError",
              "the DPF operator could not decide on this request: " + e.getMessage());
    }
    send(ex, 200, answer.toString());
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
    pool.shutdownNow();
  }
}
