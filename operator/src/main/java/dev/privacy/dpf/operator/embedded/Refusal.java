package dev.privacy.dpf.operator.embedded;

import io.fabric8.mockwebserver.http.MockResponse;

/**
 * A request the server refuses with a Status (an admission webhook's denial, a webhook that could
 * not be called, an unknown field under {@code fieldValidation=Strict}); the front sends {@link
 * #response}.
 */
final class Refusal extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final transient MockResponse response;

  Refusal(MockResponse response, String message) {
    super(message);
    this.response = response;
  }
}
