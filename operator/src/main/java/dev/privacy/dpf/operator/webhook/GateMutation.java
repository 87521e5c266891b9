package dev.privacy.dpf.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.privacy.dpf.crds.DpfApi;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The mutating admission decision for pods: a pod that names a claim in its label {@code
 * dpf.privacy.dev/claim} gets the scheduling gate {@code dpf.privacy.dev/budget}, once; its other
 * gates are left as they are. Works on the AdmissionReview JSON as the API server sends it, and
 * answers with a JSON Patch. Every pod is allowed: gating is the mutation, not a refusal.
 */
public final class GateMutation {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GateMutation() {}

  /** The AdmissionReview response (as JSON) to an AdmissionReview request. */
  public static ObjectNode review(JsonNode request) {
    JsonNode req = request.path("request");
    ObjectNode response = NODES.objectNode();
    response.put("allowed", true);
    ArrayNode patch =
        "CREATE".equals(req.path("operation").asText("CREATE"))
                && req.path("subResource").asText("").isEmpty()
            ? patchFor(req.path("object"))
            : NODES.arrayNode();
    if (!patch.isEmpty()) {
      response.put("patchType", "JSONPatch");
      response.put(
          "patch",
          Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    }
    return AdmissionReviews.wrap(request, response);
  }

  /** The JSON Patch that gates {@code pod}; empty if it names no claim or is gated already. */
  public static ArrayNode patchFor(JsonNode pod) {
    ArrayNode ops = NODES.arrayNode();
    String claim = pod.path("metadata").path("labels").path(DpfApi.LABEL_CLAIM).asText("");
    if (claim.isEmpty()) {
      return ops;
    }
    JsonNode gates = pod.path("spec").path("schedulingGates");
    ObjectNode gate = NODES.objectNode().put("name", DpfApi.GATE_BUDGET);
    if (gates.isArray()) {
      for (JsonNode g : gates) {
        if (DpfApi.GATE_BUDGET.equals(g.path("name").asText())) {
          return ops; // already gated: nothing to do
        }
      }
      ops.addObject().put("op", "add").put("path", "/spec/schedulingGates/-").set("value", gate);
    } else {
      ops.addObject()
          .put("op", "add")
          .put("path", "/spec/schedulingGates")
          .set("value", NODES.arrayNode().add(gate));
    }
    return ops;
  }
}
