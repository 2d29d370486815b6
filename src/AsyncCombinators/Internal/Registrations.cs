using System;
using System.Threading;

namespace AsyncCombinators.Internal;

/// <summary>Token registrations that neither flow the execution context nor block when released.</summary>
internal static class Registrations
{
    public static CancellationTokenRegistration Register(Action<object?> callback, object state, CancellationToken token) =>
#if NETSTANDARD2_0
        token.Register(callback, state, useSynchronizationContext: false);
#else
        token.UnsafeRegister(callback, state);
#endif

    /// <summary>Releases a registration without waiting for a callback that is running on another thread.</summary>
    public static void Release(in CancellationTokenRegistration registration)
    {
#if NETSTANDARD2_0
        registration.Dispose();
#else
        registration.Unregister();
#endif
    }
}
