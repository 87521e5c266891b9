package dev.privacy.dpf.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Validation and identity of Rényi order sets. */
class OrdersTest {

  static Stream<Arguments> invalidOrders() {
    return Stream.of(
        Arguments.of(new double[] {1}, "orders[0] must be a finite number > 1, got 1.0"),
        Arguments.of(new double[] {2, 0.5}, "orders[1] must be a finite number > 1, got 0.5"),
        Arguments.of(new double[] {-3}, "orders[0] must be a finite number > 1, got -3.0"),
        Arguments.of(new double[] {Double.NaN}, "orders[0] must be a finite number > 1, got NaN"),
        Arguments.of(
            new double[] {2, Double.POSITIVE_INFINITY},
            "orders[1] must be a finite number > 1, got Infinity"),
        Arguments.of(
            new double[] {Double.NEGATIVE_INFINITY},
            "orders[0] must be a finite number > 1, got -Infinity"),
        Arguments.of(
            new double[] {2, 3, 2.5}, "orders must be strictly increasing, got 2.5 after 3.0"),
        Arguments.of(new double[] {2, 2}, "orders must be strictly increasing, got 2.0 after 2.0"),
        Arguments.of(new double[] {}, "orders must not be empty"),
        Arguments.of(null, "orders must not be empty"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidOrders")
  void rejectsInvalidOrdersNamingTheValue(double[] alphas, String message) {
    assertThatThrownBy(() -> Orders.of(alphas))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void rejectsEmptyOrdersWithNoArguments() {
    assertThatThrownBy(Orders::of)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("orders must not be empty");
  }

  @Test
  void acceptsOrdersJustAboveOne() {
    Orders o = Orders.of(Math.nextUp(1.0), 1.1);
    assertThat(o.size()).isEqualTo(2);
    assertThat(o.alpha(0)).isEqualTo(Math.nextUp(1.0));
  }

  @Test
  void defaultHasTheTwelveOrdersOfPrivateKubeAndDpack() {
    assertThat(Orders.DEFAULT.size()).isEqualTo(12);
    assertThat(Orders.DEFAULT.toArray())
        .containsExactly(1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8, 16, 32, 64);
    assertThat(Orders.DEFAULT).hasToString("[1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8, 16, 32, 64]");
  }

  @Test
  void equalOrderSetsAreEqualAndHashAlike() {
    Orders a = Orders.of(1.5, 2, 64);
    Orders b = Orders.of(1.5, 2.0, 64.0);
    assertThat(a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
    assertThat(Orders.of(1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8, 16, 32, 64)).isEqualTo(Orders.DEFAULT);
    assertThat(a).isNotEqualTo(Orders.of(1.5, 2, 63));
    assertThat(a).isNotEqualTo(Orders.of(1.5, 2));
    assertThat(a).isNotEqualTo(Orders.of(1.5, 2, 64, 128));
    assertThat(a).isNotEqualTo(null);
    assertThat(a).isNotEqualTo("[1.5, 2, 64]");
  }

  @Test
  void isImmutable() {
    double[] alphas = {2, 3};
    Orders o = Orders.of(alphas);
    alphas[0] = 2.5;
    assertThat(o.alpha(0)).isEqualTo(2);
    o.toArray()[1] = 7;
    assertThat(o.alpha(1)).isEqualTo(3);
    assertThat(o).isEqualTo(Orders.of(2, 3));
  }
}
