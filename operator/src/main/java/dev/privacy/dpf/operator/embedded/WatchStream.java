package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * An HTTP watch: the mock's watch listener writes its events to what it takes for a WebSocket, and
 * this writes them to a chunked HTTP response, one JSON object per line, as a real API server
 * streams {@code ?watch=true}. ADDED events for objects not newer than the watch's {@code
 * resourceVersion} are dropped (the mock replays every stored object when a watch opens; a real
 * server sends only what changed after that version). Bookmarks, when the client allows them, keep
 * the connection checked: a client that went away is noticed at the next write.
 */
final class WatchStream implements WebSocket {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutputStream out;
  private final long sinceVersion;
  private final Predicate<JsonNode> filter;
  private final UnaryOperator<ObjectNode> transform;
  private final CountDownLatch closed = new CountDownLatch(1);
  private long lastVersion;

  /**
   * @param out the response body (headers already sent)
   * @param sinceVersion the watch's resourceVersion, or -1 for none
   * @param filter which objects the client wants (field selector terms the store cannot check)
   * @param transform applied to each event before it is written (e.g. into a Table), or identity
   */
  WatchStream(
      OutputStream out,
      long sinceVersion,
      Predicate<JsonNode> filter,
      UnaryOperator<ObjectNode> transform) {
    this.out = out;
    this.filter = filter;
    this.sinceVersion = sinceVersion;
    this.lastVersion = Math.max(sinceVersion, 0);
    this.transform = transform;
  }

  @Override
  public RecordedRequest request() {
    return null;
  }

  @Override
  public boolean send(String text) {
    ObjectNode event;
    try {
      event = (ObjectNode) JSON.readTree(text);
    } catch (IOException | ClassCastException e) {
      return false;
    }
    if (!filter.test(event.path("object"))) {
      return true;
    }
    long rv = version(event.path("object"));
    if ("ADDED".equals(event.path("type").asText()) && sinceVersion > 0 && rv >= 0) {
      if (rv <= sinceVersion) {
        return true; // the client's list already had it
      }
    }
    synchronized (this) {
      lastVersion = Math.max(lastVersion, rv);
    }
    return write(transform.apply(event).toString());
  }

  /** Writes a BOOKMARK at the latest version seen; false if the client has gone. */
  boolean bookmark(String apiVersion, String kind) {
    ObjectNode e = JSON.createObjectNode();
    e.put("type", "BOOKMARK");
    ObjectNode o = e.putObject("object");
    o.put("kind", kind);
    o.put("apiVersion", apiVersion);
    synchronized (this) {
      o.putObject("metadata").put("resourceVersion", Long.toString(lastVersion));
    }
    return write(e.toString());
  }

  private synchronized boolean write(String line) {
    if (closed.getCount() == 0) {
      return false;
    }
    try {
      out.write(line.getBytes(StandardCharsets.UTF_8));
      out.write('\n');
      out.flush();
      return true;
    } catch (IOException e) {
      closed.countDown();
      return false;
    }
  }

  @Override
  public boolean send(byte[] bytes) {
    return send(new String(bytes, StandardCharsets.UTF_8));
  }

  @Override
  public boolean close(int code, String reason) {
    closed.countDown();
    return true;
  }

  /** Waits up to {@code millis} for the stream to close; true if it did. */
  boolean awaitClosed(long millis) throws InterruptedException {
    return closed.await(millis, TimeUnit.MILLISECONDS);
  }

  boolean isClosed() {
    return closed.getCount() == 0;
  }

  static long version(JsonNode object) {
    try {
      return Long.parseLong(object.path("metadata").path("resourceVersion").asText(""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
