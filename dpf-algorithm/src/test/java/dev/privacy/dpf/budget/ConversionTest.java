package dev.privacy.dpf.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.privacy.dpf.budget.RandomInputs.Gen;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Capacities per order from (eps_G, delta_G), and curves back to epsilon at a delta. */
class ConversionTest {

  // Reference formulas of REFERENCE.md section 2, written out independently of the code under test.

  static double classicCapacity(double eps, double delta, double a) {
    return eps - Math.log(1 / delta) / (a - 1);
  }

  static double tightCapacity(double eps, double delta, double a) {
    return eps - (Math.log(1 / delta) - Math.log(a)) / (a - 1) + Math.log(a / (a - 1));
  }

  static double classicEpsilon(double rdp, double a, double delta) {
    return rdp + Math.log(1 / delta) / (a - 1);
  }

  static double tightEpsilon(double rdp, double a, double delta) {
    return rdp + Math.log((a - 1) / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
  }

  static double reference(Conversion c, double eps, double delta, double a) {
    return c == Conversion.TIGHT ? tightCapacity(eps, delta, a) : classicCapacity(eps, delta, a);
  }

  @ParameterizedTest(name = "order {0}: +{1}%")
  @CsvSource({"3, 49", "4, 16", "5, 10"})
  void tightCapacityGainsOverClassicAsInTheReference(double order, double gainPercent) {
    Orders orders = Orders.of(order);
    Budget tight = BlockCapacity.renyi(10, 1e-7, orders, Conversion.TIGHT).capacity();
    Budget classic = BlockCapacity.renyi(10, 1e-7, orders, Conversion.CLASSIC).capacity();
    double gain = 100 * (tight.epsilonAt(0) / classic.epsilonAt(0) - 1);
    assertThat(gain).isCloseTo(gainPercent, within(1.0));
    // and both match the formulas, rounded down
    assertThat(tight.epsilonAt(0))
        .isLessThanOrEqualTo(tightCapacity(10, 1e-7, order))
        .isCloseTo(tightCapacity(10, 1e-7, order), within(1e-9));
    assertThat(classic.epsilonAt(0))
        .isLessThanOrEqualTo(classicCapacity(10, 1e-7, order))
        .isCloseTo(classicCapacity(10, 1e-7, order), within(1e-9));
  }

  /** Tries per property over random inputs. */
  private static final int TRIES = 1000;

  static final Gen<Double> GLOBAL_EPSILONS =
      RandomInputs.logUniform(1e-3, 1e6)
          .withEdges(List.of(0.01, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0, 1000.0, Math.nextDown(1e6)));

  static final Gen<Double> GLOBAL_DELTAS =
      RandomInputs.logUniform(1e-30, 0.9)
          .withEdges(List.of(1e-18, 1e-12, 1e-9, 1e-7, 1e-5, 1e-3, 0.1, 0.5));

  @Test
  void tightCapacityIsAtLeastClassicAndBothAreRoundedDown() {
    RandomInputs.forAll(
        21,
        TRIES,
        GLOBAL_EPSILONS,
        GLOBAL_DELTAS,
        this::tightCapacityIsAtLeastClassicAndBothAreRoundedDown);
  }

  void tightCapacityIsAtLeastClassicAndBothAreRoundedDown(double eps, double delta) {
    BlockCapacity tight = BlockCapacity.renyi(eps, delta, Orders.DEFAULT, Conversion.TIGHT);
    BlockCapacity classic = BlockCapacity.renyi(eps, delta, Orders.DEFAULT, Conversion.CLASSIC);
    for (int i = 0; i < Orders.DEFAULT.size(); i++) {
      double a = Orders.DEFAULT.alpha(i);
      assertThat(tight.capacity().units(i)).isGreaterThanOrEqualTo(classic.capacity().units(i));
      if (classic.usable(i)) {
        assertThat(tight.usable(i)).isTrue();
      }
      for (Conversion c : Conversion.values()) {
        BlockCapacity block = c == Conversion.TIGHT ? tight : classic;
        double ref = reference(c, eps, delta, a);
        double cap = block.capacity().epsilonAt(i);
        if (ref > 0) {
          assertThat(cap).isLessThanOrEqualTo(ref).isCloseTo(ref, within(1e-9 * (1 + eps)));
        } else {
          assertThat(cap).isZero();
          assertThat(block.usable(i)).isFalse();
        }
      }
    }
  }

  @ParameterizedTest(name = "eps_G={0}, delta_G={1}, {2}, order {3} -> usable {4}")
  @CsvSource({
    "0.1, 1e-9, TIGHT, 1.5, false",
    "0.1, 1e-9, CLASSIC, 1.5, false",
    "0.1, 1e-9, TIGHT, 64, false",
    "10, 1e-7, TIGHT, 1.5, false",
    "10, 1e-7, TIGHT, 3, true",
    "1, 1e-5, CLASSIC, 2, false",
    "1, 1e-5, TIGHT, 2, false",
    "1, 1e-5, CLASSIC, 64, true",
    "1, 1e-5, TIGHT, 64, true"
  })
  void ordersWithoutPositiveCapacityAreUnusableAndHaveZeroCapacity(
      double eps, double delta, Conversion conversion, double order, boolean usable) {
    Orders orders = Orders.of(order);
    BlockCapacity block = BlockCapacity.renyi(eps, delta, orders, conversion);
    assertThat(reference(conversion, eps, delta, order) > 0).as("the table").isEqualTo(usable);
    assertThat(block.usable(0)).isEqualTo(usable);
    assertThat(block.usableCount()).isEqualTo(usable ? 1 : 0);
    assertThat(block.capacity().units(0) > 0).isEqualTo(usable);
    assertThat(block.capacity().isNonNegative()).isTrue();
    // a zero demand fits only where the order is usable
    assertThat(Budget.zeroCurve(orders).fitsWithin(block.capacity(), block.usable()))
        .isEqualTo(usable);
  }

  @ParameterizedTest
  @EnumSource(Conversion.class)
  void zeroGlobalDeltaIsRefusedForRenyiAccounting(Conversion conversion) {
    // no order has a positive capacity at delta 0: the block is refused with a way out
    assertThat(conversion.capacity(10, 0, 2)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThatThrownBy(() -> BlockCapacity.renyi(10, 0, Orders.DEFAULT, conversion))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("block delta is 0")
        .hasMessageContaining("basic accounting");
    // a block whose capacity is not positive at any order still schedules nothing, with no NaN
    BlockCapacity block = BlockCapacity.renyi(0.001, 1e-9, Orders.DEFAULT, conversion);
    assertThat(block.usableCount()).isZero();
    assertThat(block.capacity().isZero()).isTrue();
    Budget demand = Budget.curve(Orders.DEFAULT, new double[12]);
    assertThat(demand.fitsWithin(block.capacity(), block.usable())).isFalse();
    assertThat(
            Budget.curve(Orders.DEFAULT, filledWith(12, 1)).share(block.capacity(), block.usable()))
        .isZero();
  }

  static double[] filledWith(int n, double v) {
    double[] r = new double[n];
    java.util.Arrays.fill(r, v);
    return r;
  }

  @ParameterizedTest(name = "eps_G={0}, delta_G={1}, {2}")
  @CsvSource({
    "10, 1e-7, TIGHT",
    "10, 1e-7, CLASSIC",
    "1, 1e-5, TIGHT",
    "1, 1e-5, CLASSIC",
    "0.5, 1e-9, TIGHT",
    "0.5, 1e-9, CLASSIC",
    "3, 1e-3, TIGHT",
    "3, 1e-3, CLASSIC",
    "100, 1e-6, TIGHT",
    "100, 1e-6, CLASSIC",
    "1000, 1e-10, TIGHT",
    "1000, 1e-10, CLASSIC"
  })
  void capacityCurveConvertsBackToAtMostTheGlobalEpsilon(
      double eps, double delta, Conversion conversion) {
    BlockCapacity block = BlockCapacity.renyi(eps, delta, Orders.DEFAULT, conversion);
    assertThat(block.usableCount()).isPositive();
    double back = conversion.toEpsilon(block.capacity(), delta).epsilon();
    assertThat(back).isLessThanOrEqualTo(eps).isCloseTo(eps, within(1e-6));
    // the same through a user-built curve with the capacity's numbers
    double[] values = new double[Orders.DEFAULT.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = block.capacity().epsilonAt(i);
    }
    Budget curve = Budget.curve(Orders.DEFAULT, values);
    assertThat(curve).isEqualTo(block.capacity());
    assertThat(conversion.toEpsilon(curve, delta).epsilon()).isEqualTo(back);
  }

  static final Gen<Double> ROUND_TRIP_EPSILONS =
      RandomInputs.logUniform(0.01, 1000).withEdges(List.of(0.1, 0.3, 0.5, 1.0, 3.0, 10.0, 100.0));

  static final Gen<Double> ROUND_TRIP_DELTAS =
      RandomInputs.logUniform(1e-15, 1e-3).withEdges(List.of(1e-12, 1e-10, 1e-9, 1e-7, 1e-5));

  @Test
  void capacityRoundTripStaysAtOrBelowTheGlobalEpsilon() {
    RandomInputs.forAll(
        22,
        TRIES,
        ROUND_TRIP_EPSILONS,
        ROUND_TRIP_DELTAS,
        this::capacityRoundTripStaysAtOrBelowTheGlobalEpsilon);
  }

  void capacityRoundTripStaysAtOrBelowTheGlobalEpsilon(double eps, double delta) {
    for (Conversion c : Conversion.values()) {
      BlockCapacity block = BlockCapacity.renyi(eps, delta, Orders.DEFAULT, c);
      if (block.usableCount() == 0) {
        continue;
      }
      double back = c.toEpsilon(block.capacity(), delta).epsilon();
      assertThat(back).as("%s", c).isLessThanOrEqualTo(eps).isCloseTo(eps, within(1e-6));
    }
  }

  @ParameterizedTest(name = "rdp {0} at order {1}, delta {2}")
  @CsvSource({
    "0, 2, 1e-5",
    "0.5, 1.5, 1e-5",
    "0.5, 2, 1e-5",
    "1, 8, 1e-7",
    "3, 64, 1e-9",
    "1e-9, 32, 1e-5",
    "100, 1.01, 0.5",
    "0.1, 1e6, 1e-3"
  })
  void epsilonAtADeltaMatchesTheFormulasRoundedUp(double rdp, double a, double delta) {
    double tight = Conversion.TIGHT.epsilon(rdp, a, delta);
    double classic = Conversion.CLASSIC.epsilon(rdp, a, delta);
    double refTight = tightEpsilon(rdp, a, delta);
    double refClassic = classicEpsilon(rdp, a, delta);
    double tol = 1e-10 * (1 + Math.abs(refClassic));
    assertThat(tight).isGreaterThanOrEqualTo(refTight).isCloseTo(refTight, within(tol));
    assertThat(classic).isGreaterThanOrEqualTo(refClassic).isCloseTo(refClassic, within(tol));
    assertThat(tight).isLessThan(classic);
  }

  @Test
  void curveEpsilonIsTheMinimumOverOrdersAndSkipsSaturatedOrders() {
    Orders orders = Orders.of(2, 8, 64);
    Budget curve = Budget.curve(orders, 0.01, 3e6, 0.5);
    Conversion.EpsilonAtOrder best = Conversion.TIGHT.toEpsilon(curve, 1e-5);
    double at2 = tightEpsilon(curve.epsilonAt(0), 2, 1e-5);
    double at64 = tightEpsilon(curve.epsilonAt(2), 64, 1e-5);
    assertThat(at64).as("the table").isLessThan(at2);
    assertThat(best.order()).isEqualTo(64);
    assertThat(best.epsilon()).isGreaterThanOrEqualTo(at64).isCloseTo(at64, within(1e-9));

    Budget allHuge = Budget.curve(orders, 3e6, 3e6, 3e6);
    assertThat(Conversion.TIGHT.toEpsilon(allHuge, 1e-5).epsilon()).isInfinite();
  }

  @Test
  void toEpsilonRefusesPairsAndDeltasOutsideTheOpenUnitInterval() {
    assertThatThrownBy(() -> Conversion.TIGHT.toEpsilon(Budget.epsDelta(1, 1e-5), 1e-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a Renyi curve");
    Budget curve = Budget.curve(Orders.of(2), 1);
    for (double bad : new double[] {0, 1, -0.5, Double.NaN}) {
      assertThatThrownBy(() -> Conversion.CLASSIC.toEpsilon(curve, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageEndingWith("got " + Budget.format(bad));
    }
  }

  @Test
  void globalBudgetOutsideTheValidRangeIsRefusedNamingTheValue() {
    assertThatThrownBy(() -> BlockCapacity.renyi(0, 1e-5, Orders.DEFAULT, Conversion.TIGHT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("block epsilon must be > 0 and <= 1000000, got 0");
    assertThatThrownBy(() -> BlockCapacity.basic(2e6, 0))
        .hasMessage("block epsilon must be > 0 and <= 1000000, got 2000000");
    assertThatThrownBy(() -> BlockCapacity.basic(1, 1))
        .hasMessage("block delta must be in [0, 1), got 1");
    assertThatThrownBy(() -> BlockCapacity.basic(Double.NaN, 0)).hasMessageEndingWith("got NaN");
  }
}
