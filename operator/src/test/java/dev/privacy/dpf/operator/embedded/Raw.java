package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw HTTP against an embedded API server, as kubectl's requests look on the wire. */
final class Raw {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TABLE =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final String base;

  Raw(EmbeddedApiServer server) {
    this.base = server.url();
  }

  HttpResponse<String> send(
      String method, String path, String contentType, String body, String accept) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (accept != null) {
      b.header("Accept", accept);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> sendBytes(String method, String path, String contentType, byte[] body) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", contentType)
              .header("Accept", "application/vnd.kubernetes.protobuf,application/json")
              .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path) {
    return send("GET", path, null, null, "application/json");
  }

  JsonNode getJson(String path) {
    return json(get(path));
  }

  HttpResponse<String> table(String path) {
    return send("GET", path, null, null, TABLE);
  }

  HttpResponse<String> post(String path, String json) {
    return send("POST", path, "application/json", json, "application/json");
  }

  HttpResponse<String> patch(String path, String contentType, String body) {
    return send("PATCH", path, contentType, body, "application/json");
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(r.statusCode() + " " + r.body(), e);
    }
  }
}
