package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Patch semantics the mock lacks, computed here and handed to it as a JSON Patch (see {@link
 * #diff}): JSON merge patch per RFC 7386 (a list is replaced, {@code null} removes a key), and a
 * subset of strategic merge patch for built-in kinds. The subset: maps merge as in a merge patch;
 * lists whose field is known to carry a merge key (containers, env, volumes, ports, conditions,
 * ownerReferences, ... by field name, see {@link #MERGE_KEYS}) merge element by element on that
 * key; {@code finalizers} merge as a set; every other list is replaced. The directives {@code
 * $patch: replace|delete}, {@code $retainKeys}, {@code $deleteFromPrimitiveList/<field>} and {@code
 * $setElementOrder/<field>} are honoured. This covers what {@code kubectl apply}, {@code label} and
 * {@code annotate} send for objects whose labels, annotations or plain fields change.
 */
final class Patches {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Merge keys of lists in built-in kinds, by field name; "" means a set of primitives. */
  static final Map<String, String> MERGE_KEYS =
      Map.ofEntries(
          Map.entry("containers", "name"),
          Map.entry("initContainers", "name"),
          Map.entry("ephemeralContainers", "name"),
          Map.entry("env", "name"),
          Map.entry("volumes", "name"),
          Map.entry("imagePullSecrets", "name"),
          Map.entry("schedulingGates", "name"),
          Map.entry("resourceClaims", "name"),
          Map.entry("hostAliases", "ip"),
          Map.entry("volumeMounts", "mountPath"),
          Map.entry("volumeDevices", "devicePath"),
          Map.entry("ports", "containerPort"),
          Map.entry("ownerReferences", "uid"),
          Map.entry("conditions", "type"),
          Map.entry("readinessGates", "conditionType"),
          Map.entry("taints", "key"),
          Map.entry("addresses", "type"),
          Map.entry("topologySpreadConstraints", "topologyKey"),
          Map.entry("finalizers", ""));

  private Patches() {}

  /** RFC 7386: {@code patch} applied to {@code target} (neither is modified). */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode out = target != null && target.isObject() ? target.deepCopy() : F.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
      }
    }
    return out;
  }

  /** RFC 6902; a failed {@code test} or a bad path throws {@link PatchFailure}. */
  static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) {
      throw new PatchFailure(400, "a JSON Patch must be an array of operations");
    }
    try {
      return JsonPatch.apply(patch, target);
    } catch (RuntimeException e) {
      throw new PatchFailure(422, e.getMessage());
    }
  }

  /** Strategic merge patch (the subset described on the class) of {@code patch} onto target. */
  static JsonNode strategicMergePatch(JsonNode target, JsonNode patch, String kind) {
    JsonNode r = smp(target, patch, kind);
    return r == null ? F.objectNode() : r;
  }

  /** A merge of maps; null means "delete this map". */
  private static JsonNode smp(JsonNode original, JsonNode patch, String kind) {
    if (!patch.isObject()) {
      return clean(patch);
    }
    String directive = patch.path("$patch").asText("");
    if (directive.equals("replace")) {
      ObjectNode r = (ObjectNode) clean(patch);
      r.remove("$patch");
      return r;
    }
    if (directive.equals("delete")) {
      return null;
    }
    ObjectNode out = original != null && original.isObject() ? original.deepCopy() : F.objectNode();
    Map<String, JsonNode> orders = new java.util.LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      if (k.equals("$patch") || k.equals("$retainKeys")) {
        continue;
      }
      if (k.startsWith("$setElementOrder/")) {
        orders.put(k.substring("$setElementOrder/".length()), v);
        continue;
      }
      if (k.startsWith("$deleteFromPrimitiveList/")) {
        String field = k.substring("$deleteFromPrimitiveList/".length());
        JsonNode list = out.get(field);
        if (list != null && list.isArray()) {
          Set<JsonNode> drop = new HashSet<>();
          v.forEach(drop::add);
          ArrayNode kept = F.arrayNode();
          list.forEach(
              x -> {
                if (!drop.contains(x)) {
                  kept.add(x);
                }
              });
          out.set(field, kept);
        }
        continue;
      }
      if (v.isNull()) {
        out.remove(k);
      } else if (v.isArray()) {
        JsonNode merged = mergeList(k, out.get(k), (ArrayNode) v, kind);
        out.set(k, merged);
      } else if (v.isObject()) {
        JsonNode merged = smp(out.get(k), v, kind);
        if (merged == null) {
          out.remove(k);
        } else {
          out.set(k, merged);
        }
      } else {
        out.set(k, v);
      }
    }
    if (patch.has("$retainKeys")) {
      Set<String> keep = new HashSet<>();
      patch.get("$retainKeys").forEach(n -> keep.add(n.asText()));
      out.retain(keep);
    }
    for (Map.Entry<String, JsonNode> o : orders.entrySet()) {
      JsonNode list = out.get(o.getKey());
      if (list != null && list.isArray()) {
        out.set(o.getKey(), reorder((ArrayNode) list, o.getValue(), key(o.getKey(), kind)));
      }
    }
    return out;
  }

  private static String key(String field, String kind) {
    if (field.equals("ports") && "Service".equals(kind)) {
      return "port";
    }
    return MERGE_KEYS.get(field);
  }

  private static JsonNode mergeList(String field, JsonNode original, ArrayNode patch, String kind) {
    String key = key(field, kind);
    if (key == null || original == null || !original.isArray()) {
      return clean(patch);
    }
    ArrayNode out = ((ArrayNode) original).deepCopy();
    if (key.isEmpty()) { // a set of primitives
      Set<JsonNode> have = new LinkedHashSet<>();
      out.forEach(have::add);
      for (JsonNode v : patch) {
        if (!have.contains(v)) {
          out.add(v);
          have.add(v);
        }
      }
      return out;
    }
    for (JsonNode p : patch) {
      if (p.isObject() && "replace".equals(p.path("$patch").asText())) {
        // {"$patch": "replace"} as an element: the rest of the patch list replaces the list
        ArrayNode r = F.arrayNode();
        patch.forEach(
            x -> {
              if (!x.has("$patch")) {
                r.add(clean(x));
              }
            });
        return r;
      }
      if (!p.isObject() || !p.has(key)) {
        return clean(patch); // not keyed after all: replace, as a merge patch would
      }
    }
    for (JsonNode p : patch) {
      JsonNode k = p.get(key);
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (k.equals(out.get(i).get(key))) {
          at = i;
          break;
        }
      }
      boolean delete = "delete".equals(p.path("$patch").asText());
      if (at >= 0 && delete) {
        out.remove(at);
      } else if (at >= 0) {
        JsonNode merged = smp(out.get(at), p, kind);
        if (merged == null) {
          out.remove(at);
        } else {
          out.set(at, merged);
        }
      } else if (!delete) {
        out.add(clean(p));
      }
    }
    return out;
  }

  private static ArrayNode reorder(ArrayNode list, JsonNode order, String key) {
    List<JsonNode> rest = new ArrayList<>();
    list.forEach(rest::add);
    ArrayNode out = F.arrayNode();
    for (JsonNode o : order) {
      for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
        JsonNode e = it.next();
        JsonNode id = key == null || key.isEmpty() ? e : e.get(key);
        JsonNode want = key == null || key.isEmpty() ? o : o.get(key);
        if (id != null && id.equals(want)) {
          out.add(e);
          it.remove();
          break;
        }
      }
    }
    rest.forEach(out::add);
    return out;
  }

  /** A copy without SMP directives (keys starting with $). */
  private static JsonNode clean(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = F.objectNode();
      n.fields()
          .forEachRemaining(
              e -> {
                if (!e.getKey().startsWith("$")) {
                  o.set(e.getKey(), clean(e.getValue()));
                }
              });
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = F.arrayNode();
      n.forEach(x -> a.add(clean(x)));
      return a;
    }
    return n;
  }

  /**
   * A JSON Patch that turns {@code from} into {@code to}: maps are compared key by key, anything
   * else that differs is replaced whole (lists included).
   */
  static ArrayNode diff(JsonNode from, JsonNode to) {
    ArrayNode ops = F.arrayNode();
    diff(from, to, "", ops);
    return ops;
  }

  private static void diff(JsonNode from, JsonNode to, String path, ArrayNode ops) {
    if (from.equals(to)) {
      return;
    }
    if (from.isObject() && to.isObject()) {
      for (Iterator<String> it = from.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!to.has(k)) {
          ops.addObject().put("op", "remove").put("path", path + "/" + escape(k));
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String p = path + "/" + escape(e.getKey());
        JsonNode old = from.get(e.getKey());
        if (old == null) {
          ObjectNode op = ops.addObject().put("op", "add").put("path", p);
          op.set("value", e.getValue());
        } else {
          diff(old, e.getValue(), p, ops);
        }
      }
      return;
    }
    ObjectNode op = ops.addObject().put("op", "replace").put("path", path);
    op.set("value", to);
  }

  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /** A patch that cannot be applied; {@code code} is the HTTP status to answer. */
  static final class PatchFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    PatchFailure(int code, String message) {
      super(message);
      this.code = code;
    }
  }
}
