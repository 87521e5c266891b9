package dev.privacy.dpf.operator.embedded;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request path of the Kubernetes REST API split into its parts: {@code
 * /api/v1/namespaces/ml/pods/p1/status} is group "", version v1, namespace ml, resource pods, name
 * p1, subresource status. Fields that the path does not give are null (group is "" for the core
 * group).
 *
 * @param group the API group ("" for core)
 * @param version the API version
 * @param namespace the namespace, or null (cluster-scoped, or a list across namespaces)
 * @param resource the plural resource name
 * @param name the object's name, or null for a collection
 * @param subresource the subresource (status, finalize, ...), or null
 */
record ResourcePath(
    String group,
    String version,
    String namespace,
    String resource,
    String name,
    String subresource) {

  /** The parts of {@code bare} (a path without query), or null if it names no resource. */
  static ResourcePath parse(String bare) {
    String[] s = bare.split("/");
    // s[0] is "" (the path starts with '/')
    int i;
    String group;
    String version;
    if (s.length >= 3 && s[1].equals("api")) {
      group = "";
      version = s[2];
      i = 3;
    } else if (s.length >= 4 && s[1].equals("apis")) {
      group = s[2];
      version = s[3];
      i = 4;
    } else {
      return null;
    }
    int rest = s.length - i;
    if (rest <= 0) {
      return null;
    }
    String namespace = null;
    // namespaces/{ns}/{resource}..., except namespaces/{ns}/status|finalize (the namespace itself)
    if (s[i].equals("namespaces")
        && rest >= 3
        && !(rest == 3 && (s[i + 2].equals("status") || s[i + 2].equals("finalize")))) {
      namespace = s[i + 1];
      i += 2;
      rest -= 2;
    }
    String resource = s[i];
    String name = rest >= 2 ? s[i + 1] : null;
    String sub = rest >= 3 ? s[i + 2] : null;
    if (rest > 3 || resource.isEmpty() || (name != null && name.isEmpty())) {
      return null;
    }
    return new ResourcePath(group, version, namespace, resource, name, sub);
  }

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The path prefix of the group-version: {@code /api/v1} or {@code /apis/g/v}. */
  String root() {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }

  /** The path of the object itself (no subresource); only for a path with a name. */
  String objectPath() {
    return collectionPath() + "/" + name;
  }

  /** The path of the collection the object belongs to (in its namespace). */
  String collectionPath() {
    return root() + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource;
  }

  ResourcePath withName(String n) {
    return new ResourcePath(group, version, namespace, resource, n, null);
  }

  /** The query parameters of {@code path} (decoded; the last value of a repeated key wins). */
  static Map<String, String> query(String path) {
    Map<String, String> q = new LinkedHashMap<>();
    int at = path.indexOf('?');
    if (at < 0) {
      return q;
    }
    for (String kv : path.substring(at + 1).split("&")) {
      if (kv.isEmpty()) {
        continue;
      }
      int eq = kv.indexOf('=');
      String k = eq < 0 ? kv : kv.substring(0, eq);
      String v = eq < 0 ? "" : kv.substring(eq + 1);
      q.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return q;
  }

  static String bare(String path) {
    int at = path.indexOf('?');
    return at < 0 ? path : path.substring(0, at);
  }
}
