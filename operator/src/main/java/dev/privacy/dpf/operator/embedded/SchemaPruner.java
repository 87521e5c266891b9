package dev.privacy.dpf.operator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Unknown fields of a custom resource, found against its CRD's structural schema as a real API
 * server finds them: a key of an object whose schema lists {@code properties} but not this key (and
 * neither {@code additionalProperties} nor {@code x-kubernetes-preserve-unknown-fields}) is
 * unknown. The API server removes them ("pruning"), or refuses the request when the client asked
 * for {@code fieldValidation=Strict}, as kubectl does. Only this: types, formats, bounds, required
 * fields and CEL rules are not checked here.
 */
final class SchemaPruner {
  private SchemaPruner() {}

  /**
   * Removes the unknown fields of {@code obj} (a whole object, or a merge patch of one, whose nulls
   * are kept) and returns their paths ({@code spec.unlock.false}).
   */
  static List<String> prune(JsonNode obj, JsonNode schema) {
    List<String> unknown = new ArrayList<>();
    if (obj instanceof ObjectNode o && schema != null) {
      for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (k.equals("apiVersion") || k.equals("kind") || k.equals("metadata")) {
          continue;
        }
        JsonNode sub = schema.path("properties").get(k);
        if (sub == null && closed(schema)) {
          unknown.add(k);
          it.remove();
        } else if (sub != null) {
          walk(o.get(k), sub, k, unknown);
        }
      }
    }
    return unknown;
  }

  private static boolean closed(JsonNode schema) {
    return schema.has("properties")
        && !schema.has("additionalProperties")
        && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
  }

  private static void walk(JsonNode value, JsonNode schema, String path, List<String> unknown) {
    if (value == null || value.isNull() || schema == null) {
      return;
    }
    if (value instanceof ObjectNode o) {
      boolean embedded = schema.path("x-kubernetes-embedded-resource").asBoolean(false);
      JsonNode additional = schema.get("additionalProperties");
      for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (embedded && (k.equals("apiVersion") || k.equals("kind") || k.equals("metadata"))) {
          continue;
        }
        JsonNode sub = schema.path("properties").get(k);
        if (sub != null) {
          walk(o.get(k), sub, path + "." + k, unknown);
        } else if (additional != null && additional.isObject()) {
          walk(o.get(k), additional, path + "." + k, unknown);
        } else if (closed(schema)) {
          unknown.add(path + "." + k);
          it.remove();
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        walk(value.get(i), schema.get("items"), path + "[" + i + "]", unknown);
      }
    }
  }
}
