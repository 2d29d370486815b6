using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single promise behind one GatherOutcomes call with inputs still pending. An outcome only refers to its task and
/// reads it when asked, so the outcomes are made at the call, in input order, and are the result as they stand once every
/// input has completed: the promise waits on <see cref="Task.WhenAll(Task[])"/> (which attaches itself to each input at no
/// cost per input, keeps no copy of them on .NET 9 and later, and reads every fault, so none goes unobserved) and has
/// nothing left to read then, except any fault once more, so that reading it later costs nothing.
/// </summary>
/// <typeparam name="TOutcome">The outcome type.</typeparam>
/// <typeparam name="TKind">How outcomes are made from tasks.</typeparam>
internal sealed class GatherOutcomesPromise<TOutcome, TKind> : TaskCompletionSource<TOutcome[]>, IInterruptible
    where TKind : struct, IOutcomeKind<TOutcome>
{
    private static readonly Action<object?> s_onCanceled = static state => ((GatherOutcomesPromise<TOutcome, TKind>)state!).OnCanceled();

    /// <summary>The outcomes in input order, each reading its input once it has completed.</summary>
    private readonly TOutcome[] _outcomes;

    /// <summary>The caller's token, which the returned task reports when it ends canceled.</summary>
    private readonly CancellationToken _cancellationToken;

    /// <summary>The registration on the caller's token.</summary>
    private Interrupts _interrupts;

    /// <summary>WhenAll over the inputs.</summary>
    private Task? _all;

    private GatherOutcomesPromise(TOutcome[] outcomes, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _outcomes = outcomes;
        _cancellationToken = cancellationToken;
    }

    /// <inheritdoc/>
    public bool HasEnded => Task.IsCompleted;

    /// <summary>
    /// Every input's outcome in input order: read now (every input has completed), or, unless <paramref name="read"/>,
    /// reading its input once it has completed.
    /// </summary>
    public static TOutcome[] Outcomes(Task[] tasks, bool read)
    {
        var outcomes = new TOutcome[tasks.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            outcomes[i] = read ? default(TKind).FromCompletedTask(tasks[i]) : default(TKind).OfTask(tasks[i]);
        }

        return outcomes;
    }

    /// <summary>Starts waiting for <paramref name="tasks"/>, which may be the caller's array: it is not kept.</summary>
    public static Task<TOutcome[]> Start(Task[] tasks, CancellationToken cancellationToken)
    {
        var promise = new GatherOutcomesPromise<TOutcome, TKind>(Outcomes(tasks, read: false), cancellationToken);
#if NET9_0_OR_GREATER
        Task all = System.Threading.Tasks.Task.WhenAll(new ReadOnlySpan<Task>(tasks));
#else
        Task all = System.Threading.Tasks.Task.WhenAll(tasks);
#endif
        promise._all = all;
        all.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(promise.OnAllCompleted);
        promise._interrupts.Register(promise, s_onCanceled, cancellationToken);
        return promise.Task;
    }

    private void OnAllCompleted()
    {
        // Runs even after a cancellation: WhenAll's own failure must be observed too.
        Task all = _all!;
        TOutcome[] outcomes = _outcomes;
        if (all.IsFaulted)
        {
            // WhenAll has read (and so observed) every input's fault; observe its own, and read each input's once more into
            // its outcome, so that reading it later costs nothing.
            _ = all.Exception;
            for (int i = 0; i < outcomes.Length; i++)
            {
                Task? task = default(TKind).TaskOf(in outcomes[i]);
                if (task is { IsFaulted: true })
                {
                    outcomes[i] = default(TKind).FromCompletedTask(task);
                }
            }
        }

        if (TrySetResult(outcomes))
        {
            _interrupts.Release();
        }
    }

    private void OnCanceled()
    {
        if (TrySetCanceled(_cancellationToken))
        {
            _interrupts.Release();
        }
    }
}
