package dev.privacy.dpf.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** AdmissionReview v1 responses: allowed, or refused with a code and a message for the user. */
final class AdmissionReviews {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AdmissionReviews() {}

  /** The review wrapping {@code response}, in the version of {@code request}. */
  static ObjectNode wrap(JsonNode request, ObjectNode response) {
    response.put("uid", request.path("request").path("uid").asText());
    ObjectNode review = NODES.objectNode();
    review.put("apiVersion", request.path("apiVersion").asText("admission.k8s.io/v1"));
    review.put("kind", "AdmissionReview");
    review.set("response", response);
    return review;
  }

  static ObjectNode allow(JsonNode request) {
    return wrap(request, NODES.objectNode().put("allowed", true));
  }

  /**
   * Refused: the API server answers the user's request with {@code code} and shows {@code message}
   * after {@code admission webhook "<name>" denied the request:}.
   */
  static ObjectNode deny(JsonNode request, int code, String reason, String message) {
    ObjectNode response = NODES.objectNode().put("allowed", false);
    response.putObject("status").put("code", code).put("reason", reason).put("message", message);
    return wrap(request, response);
  }
}
