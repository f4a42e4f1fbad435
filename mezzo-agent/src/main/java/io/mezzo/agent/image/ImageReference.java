package io.mezzo.agent.image;

import java.util.regex.Pattern;

/**
 * A Docker/OCI image name as Docker reads it: {@code [REGISTRY/]REPOSITORY[:TAG][@sha256:HEX]}. The
 * registry defaults to {@code docker.io} (a first component is a registry when it holds a {@code .} or a
 * {@code :} or is {@code localhost}), a one-component Docker Hub repository gets {@code library/}, and the
 * tag defaults to {@code latest} unless a digest is given. Immutable; validated when built.
 *
 * @param registry the registry host[:port], such as {@code docker.io} or {@code 127.0.0.1:5000}
 * @param repository the repository path, such as {@code library/busybox}
 * @param tag the tag, or {@code null} when only a digest names the image
 * @param digest the manifest digest {@code sha256:HEX}, or {@code null}
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";
  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final Pattern REPOSITORY = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
  private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::\\d{1,5})?|\\[[0-9a-fA-F:]+\\](?::\\d{1,5})?");

  public ImageReference {
    if (registry == null || !REGISTRY.matcher(registry).matches()) {
      throw new IllegalArgumentException("registry: '" + registry + "' (expected: HOST[:PORT], such as docker.io or 127.0.0.1:5000)");
    }
    if (repository == null || !REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("repository: '" + repository
          + "' (expected: lower-case path components such as library/busybox)");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("tag: '" + tag + "' (expected: up to 128 of [A-Za-z0-9_.-], not starting with . or -)");
    }
    if (digest != null && !DIGEST.matcher(digest).matches()) {
      throw new IllegalArgumentException("digest: '" + digest + "' (expected: sha256: and 64 lower-case hex digits)");
    }
    if (tag == null && digest == null) {
      throw new IllegalArgumentException("tag: missing (expected: a tag or a digest)");
    }
  }

  /**
   * Reads {@code name} as Docker does: {@code busybox} is {@code docker.io/library/busybox:latest},
   * {@code 127.0.0.1:5000/x@sha256:...} has no tag.
   *
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static ImageReference parse(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("image: '" + name + "' (expected: [REGISTRY/]REPOSITORY[:TAG][@sha256:HEX])");
    }
    String rest = name.trim();
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
        registry = first;
        rest = rest.substring(slash + 1);
      }
    }
    if ((registry.equals(DOCKER_HUB) || registry.equals("index.docker.io")) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  /** The same image pinned to {@code manifestDigest}, keeping the tag. */
  public ImageReference withDigest(String manifestDigest) {
    return new ImageReference(registry, repository, tag, manifestDigest);
  }

  /** {@code REGISTRY/REPOSITORY}. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The tag, or the digest when there is none: what {@code GET /v2/NAME/manifests/REF} takes. */
  String manifestReference() {
    return digest != null ? digest : tag;
  }

  @Override
  public String toString() {
    return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
