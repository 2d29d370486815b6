using System;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Awaits a task's completion without throwing its exception and without capturing the context
/// (<c>ConfigureAwaitOptions.SuppressThrowing</c>, which netstandard2.0 lacks).
/// </summary>
internal readonly struct NoThrowAwaitable : ICriticalNotifyCompletion
{
    private readonly Task _task;

    public NoThrowAwaitable(Task task) => _task = task;

    public bool IsCompleted => _task.IsCompleted;

    public NoThrowAwaitable GetAwaiter() => this;

    public void GetResult()
    {
        // Completion is all we wait for: the caller inspects the task.
    }

    public void OnCompleted(Action continuation) => _task.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation) => _task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
}
