package ft.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A remote path as a shell user types it ({@code logs/}, {@code ./a.txt}, {@code a//b},
 * {@code /} for the served root), cleaned to the form the protocol takes: no leading or
 * trailing {@code /}, no empty or {@code .} segments. {@code ..} is passed on for the server to
 * refuse. Whether the user ended it with {@code /} is kept: for mv and put it means "into this
 * directory".
 *
 * @param path          the clean path; empty for the served root
 * @param trailingSlash whether the typed path ended in {@code /} (or {@code /.})
 */
record RemotePath(String path, boolean trailingSlash) {
    /**
     * Cleans {@code typed}.
     *
     * @throws IllegalArgumentException for an empty argument, which names nothing (an unset
     *     shell variable, typically) and is never taken for the root
     */
    static RemotePath of(String typed) {
        if (typed == null || typed.isEmpty()) {
            throw new IllegalArgumentException("an empty argument is not a remote path");
        }
        List<String> kept = new ArrayList<>();
        for (String segment : typed.split("/", -1)) {
            if (!segment.isEmpty() && !segment.equals(".")) {
                kept.add(segment);
            }
        }
        boolean trailing = typed.endsWith("/") || typed.equals(".") || typed.endsWith("/.");
        return new RemotePath(String.join("/", kept), trailing);
    }

    boolean isRoot() {
        return path.isEmpty();
    }

    /** The last segment; empty for the root. */
    String baseName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** {@code name} inside this directory. */
    String child(String name) {
        return isRoot() ? name : path + "/" + name;
    }

    /** As people read it: the root is {@code /}. */
    @Override
    public String toString() {
        return isRoot() ? "/" : path;
    }
}
