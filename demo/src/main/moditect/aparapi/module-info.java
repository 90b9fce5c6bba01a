module aparapi {
    requires aparapi.jni;
    requires org.apache.bcel;
    requires java.logging;
    // sun.misc.Unsafe, looked up by reflection (jdeps cannot see it)
    requires jdk.unsupported;
    // only for Aparapi's debug viewer (com.aparapi.util.swing)
    requires static java.desktop;

    exports com.aparapi;
    exports com.aparapi.annotation;
    exports com.aparapi.device;
    exports com.aparapi.exception;
    exports com.aparapi.internal.annotation;
    exports com.aparapi.internal.exception;
    exports com.aparapi.internal.instruction;
    exports com.aparapi.internal.jni;
    exports com.aparapi.internal.kernel;
    exports com.aparapi.internal.model;
    exports com.aparapi.internal.opencl;
    exports com.aparapi.internal.reader;
    exports com.aparapi.internal.tool;
    exports com.aparapi.internal.util;
    exports com.aparapi.internal.writer;
    exports com.aparapi.opencl;
    exports com.aparapi.util.swing;
}
