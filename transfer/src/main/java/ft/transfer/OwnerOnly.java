package ft.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * The StrictModes rule for the server's state ({@code .ft} and its subdirectories, the TLS key)
 * in one place: it must belong to the user this process runs as and grant nothing to group or
 * others. (The digest index only needs to be safe from others' writes; it takes the user from
 * here and checks its own bits.) Callers refuse what breaks the rule with an
 * {@link UnsafeStateException} in their own words, since each knows what the file is and what
 * fixes it.
 */
public final class OwnerOnly {
    /** The owner of this process's own /proc entry is the user it runs as (its effective uid). */
    private static final Path SELF = Path.of("/proc/self");

    private OwnerOnly() {}

    /** The uid this process runs as: the owner of its own /proc entry. */
    public static int processUid() throws IOException {
        return (Integer) Files.getAttribute(SELF, "unix:uid");
    }

    /** The user this process runs as, for messages that name users rather than uids. */
    public static UserPrincipal processUser() throws IOException {
        return Files.getOwner(SELF);
    }

    /** Whether Unix {@code mode} bits grant any permission to group or others. */
    public static boolean grantsGroupOrOther(int mode) {
        return (mode & 077) != 0;
    }

    /** Whether {@code permissions} grant anything to group or others. */
    public static boolean grantsGroupOrOther(Set<PosixFilePermission> permissions) {
        return grantsGroupOrOther(mode(permissions));
    }

    /** {@code permissions} as the mode bits chmod takes ({@code rw-r-----} is 0640). */
    public static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 0400 >> p.ordinal();
        }
        return mode;
    }
}
