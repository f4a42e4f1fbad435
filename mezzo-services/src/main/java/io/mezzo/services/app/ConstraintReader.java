package io.mezzo.services.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads {@code constraints} in Marathon's array-of-arrays form and checks each operator's value:
 * UNIQUE takes none (a value is dropped, as Marathon does); CLUSTER and GROUP_BY may take one (GROUP_BY's is a group count >= 1); LIKE and
 * UNLIKE need a valid regular expression; MAX_PER needs a count >= 1; IS needs a value.
 */
final class ConstraintReader {
  private ConstraintReader() {}

  static List<Constraint> read(JsonNode node, Errors e) {
    List<Constraint> out = new ArrayList<>();
    List<JsonNode> items = e.array(node, "/constraints");
    for (int i = 0; i < items.size(); i++) {
      String path = "/constraints/" + i;
      JsonNode c = items.get(i);
      if (!c.isArray() || c.size() < 2 || c.size() > 3 || !allText(c)) {
        e.add(path, "constraint: " + c + " (expected: [field, OPERATOR] or [field, OPERATOR, value], all strings)");
        continue;
      }
      String field = c.get(0).textValue();
      String op = c.get(1).textValue();
      String value = c.size() == 3 ? c.get(2).textValue() : null;
      if (field.isEmpty()) {
        e.add(path, "field: \"\" (expected: hostname or an agent attribute name)");
        continue;
      }
      Operator operator;
      try {
        operator = Operator.valueOf(op);
      } catch (IllegalArgumentException bad) {
        e.add(path, "operator: \"" + op + "\" (expected: one of UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS)");
        continue;
      }
      if (operator == Operator.UNIQUE || (operator == Operator.CLUSTER && "".equals(value))) {
        value = null; // Marathon drops UNIQUE's value and reads CLUSTER "" as "wherever the first one went"
      }
      String problem = checkValue(operator, value);
      if (problem != null) {
        e.add(path, operator + " value: " + (value == null ? "missing" : "\"" + value + "\"") + " (expected: " + problem + ")");
        continue;
      }
      if ((operator == Operator.LIKE || operator == Operator.UNLIKE) && !isRegex(value, path, e)) {
        continue;
      }
      out.add(new Constraint(field, operator, value));
    }
    return out;
  }

  /** What {@code operator} expects of its value, or null when {@code value} is fine. */
  private static String checkValue(Operator operator, String value) {
    return switch (operator) {
      case UNIQUE, CLUSTER -> null;
      case GROUP_BY -> value == null || positive(value) ? null : "absent or an integer >= 1";
      case MAX_PER -> value != null && positive(value) ? null : "an integer >= 1";
      case LIKE, UNLIKE -> value != null ? null : "a regular expression";
      case IS -> value != null && !value.isEmpty() ? null : "a non-empty value";
    };
  }

  private static boolean isRegex(String value, String path, Errors e) {
    try {
      Pattern.compile(value);
      return true;
    } catch (PatternSyntaxException bad) {
      e.add(path, "value: \"" + value + "\" (expected: a regular expression; " + bad.getDescription() + ")");
      return false;
    }
  }

  private static boolean positive(String value) {
    try {
      return Integer.parseInt(value) >= 1;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode n : array) {
      if (!n.isTextual()) {
        return false;
      }
    }
    return true;
  }
}
