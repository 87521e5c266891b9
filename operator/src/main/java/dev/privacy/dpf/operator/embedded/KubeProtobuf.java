package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The Kubernetes protobuf encoding ({@code application/vnd.kubernetes.protobuf}: the bytes {@code
 * k8s\0}, then a {@code runtime.Unknown} with the TypeMeta and the object's own message), decoded
 * into JSON for the few kinds kubectl's typed commands create: {@code kubectl create namespace},
 * {@code create configmap}, {@code create secret}. Of ObjectMeta it keeps name, generateName,
 * namespace, labels, annotations and finalizers. Any other kind is refused (the server answers
 * 415).
 */
final class KubeProtobuf {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

  private KubeProtobuf() {}

  /** A body this class cannot decode. */
  static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super(message);
    }
  }

  static ObjectNode decode(byte[] body) {
    if (body.length < 4
        || body[0] != MAGIC[0]
        || body[1] != MAGIC[1]
        || body[2] != MAGIC[2]
        || body[3] != MAGIC[3]) {
      throw new Unsupported("not a Kubernetes protobuf body (no k8s magic)");
    }
    Reader unknown = new Reader(body, 4, body.length);
    String apiVersion = "";
    String kind = "";
    byte[] raw = null;
    while (unknown.more()) {
      int tag = unknown.tag();
      if (tag == 1) {
        Reader typeMeta = unknown.message();
        while (typeMeta.more()) {
          int t = typeMeta.tag();
          if (t == 1) {
            apiVersion = typeMeta.string();
          } else if (t == 2) {
            kind = typeMeta.string();
          } else {
            typeMeta.skip();
          }
        }
      } else if (tag == 2) {
        raw = unknown.bytes();
      } else {
        unknown.skip();
      }
    }
    if (raw == null) {
      throw new Unsupported("the protobuf body holds no object");
    }
    ObjectNode o = F.objectNode();
    o.put("apiVersion", apiVersion);
    o.put("kind", kind);
    Reader r = new Reader(raw, 0, raw.length);
    switch (apiVersion + "/" + kind) {
      case "v1/Namespace" -> {
        while (r.more()) {
          int t = r.tag();
          if (t == 1) {
            o.set("metadata", meta(r.message()));
          } else if (t == 2) {
            Reader spec = r.message();
            while (spec.more()) {
              if (spec.tag() == 1) {
                o.with("spec").withArray("finalizers").add(spec.string());
              } else {
                spec.skip();
              }
            }
          } else {
            r.skip();
          }
        }
      }
      case "v1/ConfigMap" -> {
        while (r.more()) {
          int t = r.tag();
          switch (t) {
            case 1 -> o.set("metadata", meta(r.message()));
            case 2 -> entry(r.message(), o.with("data"), false);
            case 3 -> entry(r.message(), o.with("binaryData"), true);
            case 4 -> o.put("immutable", r.varint() != 0);
            default -> r.skip();
          }
        }
      }
      case "v1/Secret" -> {
        while (r.more()) {
          int t = r.tag();
          switch (t) {
            case 1 -> o.set("metadata", meta(r.message()));
            case 2 -> entry(r.message(), o.with("data"), true);
            case 3 -> {
              String type = r.string();
              if (!type.isEmpty()) {
                o.put("type", type);
              }
            }
            case 4 -> entry(r.message(), o.with("stringData"), false);
            case 5 -> o.put("immutable", r.varint() != 0);
            default -> r.skip();
          }
        }
      }
      default ->
          throw new Unsupported(
              "protobuf bodies are understood for Namespace, ConfigMap and Secret only, not "
                  + apiVersion
                  + " "
                  + kind);
    }
    return o;
  }

  private static ObjectNode meta(Reader r) {
    ObjectNode m = F.objectNode();
    while (r.more()) {
      int t = r.tag();
      switch (t) {
        case 1 -> nonEmpty(m, "name", r.string());
        case 2 -> nonEmpty(m, "generateName", r.string());
        case 3 -> nonEmpty(m, "namespace", r.string());
        case 11 -> entry(r.message(), m.with("labels"), false);
        case 12 -> entry(r.message(), m.with("annotations"), false);
        case 14 -> m.withArray("finalizers").add(r.string());
        default -> r.skip();
      }
    }
    return m;
  }

  private static void nonEmpty(ObjectNode o, String key, String v) {
    if (!v.isEmpty()) {
      o.put(key, v);
    }
  }

  /** A map entry (key = 1, value = 2); bytes values become base64, as in JSON. */
  private static void entry(Reader e, ObjectNode into, boolean bytes) {
    String key = "";
    String value = "";
    while (e.more()) {
      int t = e.tag();
      if (t == 1) {
        key = e.string();
      } else if (t == 2) {
        value = bytes ? Base64.getEncoder().encodeToString(e.bytes()) : e.string();
      } else {
        e.skip();
      }
    }
    into.put(key, value);
  }

  /** Protobuf wire format, just enough of it. */
  private static final class Reader {
    private final byte[] b;
    private int at;
    private final int end;
    private int wireType;

    Reader(byte[] b, int from, int end) {
      this.b = b;
      this.at = from;
      this.end = end;
    }

    boolean more() {
      return at < end;
    }

    int tag() {
      long key = varint();
      wireType = (int) (key & 7);
      return (int) (key >>> 3);
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          throw new Unsupported("truncated protobuf");
        }
        byte x = b[at++];
        v |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new Unsupported("bad protobuf varint");
    }

    byte[] bytes() {
      int n = (int) varint();
      if (n < 0 || at + n > end) {
        throw new Unsupported("truncated protobuf");
      }
      byte[] out = java.util.Arrays.copyOfRange(b, at, at + n);
      at += n;
      return out;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    Reader message() {
      int n = (int) varint();
      if (n < 0 || at + n > end) {
        throw new Unsupported("truncated protobuf");
      }
      Reader r = new Reader(b, at, at + n);
      at += n;
      return r;
    }

    void skip() {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> at += 8;
        case 2 -> {
          int n = (int) varint(); // not "at += varint()": that reads at before varint moves it
          at += n;
        }
        case 5 -> at += 4;
        default -> throw new Unsupported("unsupported protobuf wire type " + wireType);
      }
    }
  }
}
