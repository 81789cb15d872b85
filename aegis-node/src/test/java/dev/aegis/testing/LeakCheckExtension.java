package dev.aegis.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran. Registered for every test through
 * JUnit's extension auto-detection. Leaks are only reported once the garbage collector has found the lost
 * buffer and a later allocation polls the detector, so this forces both before looking.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            List<ByteBuf> probes = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                probes.add(PooledByteBufAllocator.DEFAULT.directBuffer(16));
                probes.add(PooledByteBufAllocator.DEFAULT.heapBuffer(16));
            }
            probes.forEach(ByteBuf::release);
        }
        if (!RecordingLeakDetector.LEAKS.isEmpty()) {
            List<String> leaks = new ArrayList<>(RecordingLeakDetector.LEAKS);
            RecordingLeakDetector.LEAKS.clear();
            throw new AssertionError("Netty reported " + leaks.size() + " buffer leak(s) during "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }
}
