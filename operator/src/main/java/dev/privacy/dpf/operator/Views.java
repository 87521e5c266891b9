package dev.privacy.dpf.operator;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.crds.BudgetView;
import java.util.ArrayList;
import java.util.List;

/** Budgets in and out of status: exact units for the ledger, doubles for people. */
final class Views {
  private Views() {}

  /** The exact units of {@code b}, one per component. */
  static List<Long> units(Budget b) {
    List<Long> out = new ArrayList<>(b.dimensions());
    for (int i = 0; i < b.dimensions(); i++) {
      out.add(b.units(i));
    }
    return out;
  }

  /**
   * A budget shaped like {@code shape} with the recorded units.
   *
   * @throws IllegalArgumentException if the record has another number of components
   */
  static Budget budget(Budget shape, List<Long> units, String field) {
    if (units == null) {
      return shape.zero();
    }
    if (units.size() != shape.dimensions()) {
      throw new IllegalArgumentException(
          field
              + " has "
              + units.size()
              + " components but the block's budget has "
              + shape.dimensions()
              + " ("
              + shape.describeShape()
              + ")");
    }
    long[] u = new long[units.size()];
    for (int i = 0; i < u.length; i++) {
      Long x = units.get(i);
      if (x == null || x < 0) {
        throw new IllegalArgumentException(field + "[" + i + "] must be >= 0, got " + x);
      }
      u[i] = x;
    }
    return shape.withUnits(u);
  }

  /**
   * A number for a printer column, to 6 significant digits: a view for people (the ledger keeps the
   * exact units), so that {@code kubectl get} does not print 0.5704178122038389.
   */
  static double shown(double d) {
    if (!Double.isFinite(d) || d == 0) {
      return d;
    }
    return new java.math.BigDecimal(d)
        .round(new java.math.MathContext(6, java.math.RoundingMode.HALF_EVEN))
        .doubleValue();
  }

  /** {@code b} for people. */
  static BudgetView view(Budget b) {
    BudgetView v = new BudgetView();
    if (b.kind() == Budget.Kind.BASIC) {
      v.setEpsilon(b.epsilon());
      v.setDelta(b.delta());
    } else {
      List<Double> orders = new ArrayList<>();
      List<Double> eps = new ArrayList<>();
      for (int i = 0; i < b.dimensions(); i++) {
        orders.add(b.orders().alpha(i));
        eps.add(b.epsilonAt(i));
      }
      v.setOrders(orders);
      v.setEpsilons(eps);
    }
    return v;
  }
}
