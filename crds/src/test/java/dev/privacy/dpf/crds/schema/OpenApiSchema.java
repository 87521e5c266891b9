package dev.privacy.dpf.crds.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates objects against a CRD's {@code openAPIV3Schema} with a JSON-schema validator, standing
 * in for the API server's structural-schema validation (the mock API server enforces none).
 *
 * <p>Dialect: JSON Schema draft 4. Kubernetes' schema is OpenAPI v3.0 flavoured, where {@code
 * exclusiveMinimum}/{@code exclusiveMaximum} are booleans that make {@code minimum}/{@code maximum}
 * strict. That is draft 4's meaning; from draft 6 on they are numbers (the bound itself), so later
 * dialects cannot read a Kubernetes schema (see {@code CrdSchemaTest}). The other keywords the
 * generator writes (type, properties, required, items, additionalProperties, enum, pattern,
 * min/maxLength, minItems) mean the same in draft 4. {@code x-kubernetes-*} keywords are not JSON
 * schema; they are removed before the schema is handed to the validator (the CEL rules among them
 * are checked by {@link CelRules}).
 */
final class OpenApiSchema {

  static final SpecificationVersion DIALECT = SpecificationVersion.DRAFT_4;

  /** One failed check: the dotted path of the offending field, the keyword and the message. */
  record Violation(String path, String keyword, String message) {
    @Override
    public String toString() {
      return path + " (" + keyword + "): " + message;
    }
  }

  private static final Map<String, OpenApiSchema> BY_KIND = new ConcurrentHashMap<>();

  private final Schema schema;

  private OpenApiSchema(JsonNode openApiV3Schema, SpecificationVersion dialect) {
    this.schema =
        SchemaRegistry.withDefaultDialect(dialect)
            .getSchema(withoutKubernetesExtensions(openApiV3Schema));
  }

  /** The draft-4 validator of a kind's CRD schema. */
  static OpenApiSchema of(String kind) {
    return BY_KIND.computeIfAbsent(kind, k -> new OpenApiSchema(Crds.openApiSchema(k), DIALECT));
  }

  /** A validator of the given schema in another dialect (to show why draft 4 is the one). */
  static OpenApiSchema of(JsonNode openApiV3Schema, SpecificationVersion dialect) {
    return new OpenApiSchema(openApiV3Schema, dialect);
  }

  /**
   * Every violation of the schema by the object. A missing required field is reported at the
   * field's own path ({@code spec.budget.epsilon}), not at its parent's.
   */
  List<Violation> validate(JsonNode object) {
    List<Violation> out = new ArrayList<>();
    for (com.networknt.schema.Error e : schema.validate(object)) {
      String path = dotted(e.getInstanceLocation());
      if ("required".equals(e.getKeyword()) && e.getProperty() != null) {
        path = path.isEmpty() ? e.getProperty() : path + "." + e.getProperty();
      }
      out.add(new Violation(path, e.getKeyword(), e.getMessage()));
    }
    return out;
  }

  private static String dotted(NodePath p) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < p.getNameCount(); i++) {
      Object el = p.getElement(i);
      if (el instanceof Integer index) {
        b.append('[').append(index).append(']');
      } else {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(el);
      }
    }
    return b.toString();
  }

  /** A copy of the schema without {@code x-kubernetes-*} keywords, at every level. */
  static JsonNode withoutKubernetesExtensions(JsonNode schema) {
    JsonNode copy = schema.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> drop = new ArrayList<>();
      o.properties()
          .forEach(
              e -> {
                if (e.getKey().startsWith("x-kubernetes-")) {
                  drop.add(e.getKey());
                } else {
                  strip(e.getValue());
                }
              });
      o.remove(drop);
    } else if (node instanceof ArrayNode a) {
      a.forEach(OpenApiSchema::strip);
    }
  }
}
