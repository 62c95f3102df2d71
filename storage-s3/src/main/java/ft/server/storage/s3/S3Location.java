package ft.server.storage.s3;

import java.util.Locale;

/**
 * Where an S3 store lives: a bucket and an optional key prefix, written {@code s3://BUCKET[/PREFIX]}.
 *
 * @param bucket the bucket's name
 * @param prefix the key prefix without leading or trailing '/', or "" for the whole bucket
 */
public record S3Location(String bucket, String prefix) {
    public S3Location {
        if (bucket == null || !validBucket(bucket)) {
            throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name (3 to 63 characters: "
                    + "lower-case letters, digits, '.' and '-', starting and ending with a letter or digit)");
        }
        if (prefix == null) {
            prefix = "";
        }
        if (!prefix.isEmpty()) {
            for (String segment : prefix.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    throw new IllegalArgumentException("the prefix '" + prefix
                            + "' has an empty, '.' or '..' segment; write s3://BUCKET/some/prefix");
                }
            }
        }
    }

    /**
     * Parses {@code s3://BUCKET} or {@code s3://BUCKET/PREFIX} (a trailing '/' is dropped).
     *
     * @throws IllegalArgumentException for anything else, saying what is wrong
     */
    public static S3Location parse(String uri) {
        if (uri == null || !uri.regionMatches(true, 0, "s3://", 0, 5)) {
            throw new IllegalArgumentException(
                    "'" + uri + "' is not an S3 location: write s3://BUCKET or s3://BUCKET/PREFIX");
        }
        String rest = uri.substring(5);
        if (rest.contains("?") || rest.contains("#") || rest.contains("@") || rest.contains("\\")) {
            throw new IllegalArgumentException(
                    "'" + uri + "' is not an S3 location: no query, fragment, user or '\\' allowed");
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("'" + uri + "' names no bucket: write s3://BUCKET[/PREFIX]");
        }
        return new S3Location(bucket, prefix);
    }

    private static boolean validBucket(String b) {
        if (b.length() < 3 || b.length() > 63 || !b.equals(b.toLowerCase(Locale.ROOT))) {
            return false;
        }
        for (int i = 0; i < b.length(); i++) {
            char c = b.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return Character.isLetterOrDigit(b.charAt(0)) && Character.isLetterOrDigit(b.charAt(b.length() - 1));
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
