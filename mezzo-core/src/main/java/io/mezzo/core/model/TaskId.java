package io.mezzo.core.model;

/** The id of a task ({@code task_id} on the wire); immutable and validated, see {@link Ids}. */
public record TaskId(String value) {
  public TaskId {
    Ids.check("task_id", value);
  }

  public static TaskId of(String value) {
    return new TaskId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
