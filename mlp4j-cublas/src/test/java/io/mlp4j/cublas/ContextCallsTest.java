package io.mlp4j.cublas;

import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.junit.jupiter.api.Test;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the context calls of {@link CublasBackend} hand to the driver, proven without a GPU from the preset's
 * declarations (read by reflection; the class is not initialised, so no CUDA library is loaded):
 * {@code cuDevicePrimaryCtxRetain(CUcontext*, CUdevice)} must write the context into our {@code CUctx_st} (its
 * first parameter {@code @ByPtrPtr}), and {@code cuCtxSetCurrent(CUcontext)}, called before every operation, must
 * receive that handle itself, not its address (one overload, no {@code @ByPtrPtr}).
 */
class ContextCallsTest {

    private static List<Method> declared(String name) throws ClassNotFoundException {
        Class<?> cudart = Class.forName("org.bytedeco.cuda.global.cudart", false,
                ContextCallsTest.class.getClassLoader());
        return Arrays.stream(cudart.getDeclaredMethods()).filter(m -> m.getName().equals(name)).toList();
    }

    private static boolean byPtrPtr(Method m, int parameter) {
        for (Annotation a : m.getParameterAnnotations()[parameter]) {
            if (a instanceof ByPtrPtr) {
                return true;
            }
        }
        return false;
    }

    @Test
    void setCurrentReceivesTheHandleItself() throws ClassNotFoundException {
        List<Method> overloads = declared("cuCtxSetCurrent");
        assertEquals(1, overloads.size(), "cuCtxSetCurrent overloads: " + overloads);
        Method m = overloads.get(0);
        assertEquals(List.of(CUctx_st.class), List.of(m.getParameterTypes()));
        assertFalse(byPtrPtr(m, 0), "cuCtxSetCurrent(@ByPtrPtr CUctx_st) would pass the handle's address");
    }

    @Test
    void primaryContextRetainWritesIntoTheHandle() throws ClassNotFoundException {
        List<Method> overloads = declared("cuDevicePrimaryCtxRetain");
        assertEquals(1, overloads.size(), "cuDevicePrimaryCtxRetain overloads: " + overloads);
        Method m = overloads.get(0);
        assertEquals(List.of(CUctx_st.class, int.class), List.of(m.getParameterTypes()));
        assertTrue(byPtrPtr(m, 0), "the retained context must come back through CUcontext*");
    }
}
