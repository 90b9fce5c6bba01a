module aparapi.jni {
    exports com.aparapi.natives;
    exports com.aparapi.natives.util;
}
