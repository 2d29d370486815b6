using System;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

internal static class Completion
{
    /// <summary>
    /// Completes with <paramref name="read"/>(<paramref name="state"/>) when <paramref name="antecedent"/> succeeds, and
    /// otherwise exactly as it ended: canceled, or faulted with ALL of its exceptions (an async method would keep only the first).
    /// <paramref name="inline"/> runs the returned task's continuations inline, as on an async method's task, and completes
    /// it at once if <paramref name="antecedent"/> already has.
    /// </summary>
    public static Task<TResult> Then<TState, TResult>(Task antecedent, TState state, Func<TState, TResult> read, bool inline = false)
    {
        if (antecedent.IsSucceeded())
        {
            return Task.FromResult(read(state));
        }

        var promise = new TaskCompletionSource<TResult>(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        if (inline && antecedent.IsCompleted)
        {
            Settle(promise, antecedent, state, read);
        }
        else
        {
            antecedent.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => Settle(promise, antecedent, state, read));
        }

        return promise.Task;
    }

    private static void Settle<TState, TResult>(TaskCompletionSource<TResult> promise, Task antecedent, TState state, Func<TState, TResult> read)
    {
        if (antecedent.IsSucceeded())
        {
            promise.TrySetResult(read(state));
        }
        else if (antecedent.IsFaulted)
        {
            promise.TrySetException(antecedent.Exception!.InnerExceptions);
        }
        else
        {
            // TaskCanceledException(Task) reads the token the task was canceled with, without throwing.
            promise.TrySetCanceled(new TaskCanceledException(antecedent).CancellationToken);
        }
    }
}
