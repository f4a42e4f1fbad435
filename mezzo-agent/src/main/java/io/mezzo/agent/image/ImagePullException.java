package io.mezzo.agent.image;

/**
 * Why an image could not be pulled or imported. {@link #reason()} is one of the fixed phrases of
 * {@link Kind} (such as {@code "digest mismatch"}); the message starts with it and says what was
 * wrong, so a task's TASK_FAILED message can carry it as is.
 */
public final class ImagePullException extends Exception {
  /** The kinds of failure, each with the phrase {@link #reason()} gives. */
  public enum Kind {
    UNKNOWN_IMAGE("unknown image"),
    UNREACHABLE_REGISTRY("unreachable registry"),
    DIGEST_MISMATCH("digest mismatch"),
    MALFORMED_MANIFEST("malformed manifest"),
    AUTH_REFUSED("auth refused"),
    UNSAFE_LAYER("unsafe layer"),
    STORAGE("storage");

    final String phrase;

    Kind(String phrase) {
      this.phrase = phrase;
    }

    public String phrase() {
      return phrase;
    }
  }

  private final Kind kind;

  public ImagePullException(Kind kind, String detail) {
    super(kind.phrase + ": " + detail);
    this.kind = kind;
  }

  public ImagePullException(Kind kind, String detail, Throwable cause) {
    super(kind.phrase + ": " + detail, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** The phrase of {@link #kind()}: unknown image, unreachable registry, digest mismatch, ... */
  public String reason() {
    return kind.phrase;
  }
}
