using System;
using System.Threading;

namespace AsyncCombinators.Internal;

/// <summary>What a wait that can end before its inputs do reports: whether it has ended.</summary>
internal interface IInterruptible
{
    /// <summary>Gets a value indicating whether the wait has ended (and so released, or is releasing, its <see cref="Interrupts"/>).</summary>
    bool HasEnded { get; }
}

/// <summary>
/// The timer and the token registrations that can end a wait before its inputs do, armed once the wait has started and
/// released when it ends. The wait may end while they are being armed, before its release can see them: so
/// <see cref="Arm"/> registers, then re-checks, and releases them itself then. <see cref="Release"/> may run more than once.
/// </summary>
internal struct Interrupts
{
    /// <summary>The timeout's timer, until released.</summary>
    private ITimer? _timer;

    /// <summary>The registration on the token given to the call.</summary>
    private CancellationTokenRegistration _callRegistration;

    /// <summary>The registration on a second token: the one given to an enumerator (AsCompleted's <c>WithCancellation</c>).</summary>
    private CancellationTokenRegistration _enumeratorRegistration;

    /// <summary>
    /// Starts the timer (none for <see cref="Timeout.InfiniteTimeSpan"/>), then registers as <see cref="Register"/> does;
    /// each callback gets <paramref name="owner"/> as its state.
    /// </summary>
    public void Arm<TOwner>(TOwner owner, TimeSpan timeout, TimeProvider timeProvider, TimerCallback onTimeout, Action<object?> onCanceled, CancellationToken callToken, CancellationToken enumeratorToken)
        where TOwner : class, IInterruptible
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            Volatile.Write(ref _timer, timeProvider.CreateTimer(onTimeout, owner, timeout, Timeout.InfiniteTimeSpan));
        }

        Register(owner, onCanceled, callToken, enumeratorToken);
    }

    /// <summary>
    /// Registers <paramref name="onCanceled"/>, with <paramref name="owner"/> as its state, on each token that can be
    /// canceled, then re-checks whether the wait has ended meanwhile and releases everything armed if so.
    /// </summary>
    public void Register<TOwner>(TOwner owner, Action<object?> onCanceled, CancellationToken callToken, CancellationToken enumeratorToken = default)
        where TOwner : class, IInterruptible
    {
        if (callToken.CanBeCanceled && !owner.HasEnded)
        {
            _callRegistration = Registrations.Register(onCanceled, owner, callToken);
        }

        if (enumeratorToken.CanBeCanceled && enumeratorToken != callToken && !owner.HasEnded)
        {
            _enumeratorRegistration = Registrations.Register(onCanceled, owner, enumeratorToken);
        }

        Interlocked.MemoryBarrier();
        if (owner.HasEnded)
        {
            // Ended while arming: its release may have run before these were stored.
            Release();
        }
    }

    /// <summary>
    /// Releases the registrations and disposes the timer quietly, without waiting for a callback running elsewhere.
    /// </summary>
    public void Release()
    {
        Registrations.Release(_callRegistration);
        Registrations.Release(_enumeratorRegistration);
        SafeDisposeTimeProvider.DisposeQuietly(Interlocked.Exchange(ref _timer, null));
    }
}
