package ft.transfer;

/** Waiting that an interrupt does not cut short. */
final class Uninterruptibly {
    private Uninterruptibly() {}

    /** Waits until {@code thread} ends; an interrupt meanwhile is kept and set again afterwards. */
    static void join(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
