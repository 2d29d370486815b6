using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>Starting cold operations.</summary>
internal static class Operations
{
    /// <summary>
    /// Starts <paramref name="operation"/>. A synchronous throw becomes a faulted task (a canceled one for an
    /// <see cref="OperationCanceledException"/>, as an <see langword="async"/> method would end); a null task is a fault.
    /// </summary>
    public static Task<T> Start<T>(Func<CancellationToken, Task<T>> operation, CancellationToken token) =>
        (Task<T>)Invoke<Func<CancellationToken, Task<T>>, T>(InvokeSelf<T>.Instance, operation, token);

    /// <inheritdoc cref="Start{T}(Func{CancellationToken, Task{T}}, CancellationToken)"/>
    public static Task Start(Func<CancellationToken, Task> operation, CancellationToken token)
    {
        try
        {
            return operation(token) ?? Task.FromException(new InvalidOperationException("The operation returned a null task."));
        }
        catch (OperationCanceledException exception)
        {
            return Canceled<VoidResult>(exception);
        }
        catch (Exception exception)
        {
            return Task.FromException(exception);
        }
    }

    /// <summary>
    /// Calls <paramref name="selector"/> for <paramref name="item"/>: a synchronous throw becomes a faulted
    /// <see cref="Task{TResult}"/> (a canceled one for an <see cref="OperationCanceledException"/>), a null task a fault,
    /// so a typed caller can always read the task as a <see cref="Task{TResult}"/>.
    /// </summary>
    public static Task Invoke<TSource, TResult>(Func<TSource, CancellationToken, Task> selector, TSource item, CancellationToken token)
    {
        try
        {
            return selector(item, token) ?? Task.FromException<TResult>(new InvalidOperationException("The operation returned a null task."));
        }
        catch (OperationCanceledException exception)
        {
            return Canceled<TResult>(exception);
        }
        catch (Exception exception)
        {
            return Task.FromException<TResult>(exception);
        }
    }

    /// <summary>The selector that runs an operation given as the item (the v2 forms over operations).</summary>
    /// <typeparam name="T">The operations' result type.</typeparam>
    public static class InvokeSelf<T>
    {
        public static readonly Func<Func<CancellationToken, Task<T>>, CancellationToken, Task> Instance = static (operation, token) => operation(token);
    }

    /// <summary>The selector that runs an untyped operation given as the item.</summary>
    public static readonly Func<Func<CancellationToken, Task>, CancellationToken, Task> InvokeUntyped = static (operation, token) => operation(token);

    /// <summary>Is <paramref name="task"/> a cancellation: canceled, or faulted with an <see cref="OperationCanceledException"/>?</summary>
    public static bool EndedCanceled(Task task) =>
        task.IsCanceled || (task.IsFaulted && task.Exception!.InnerExceptions[0] is OperationCanceledException);

    /// <summary>
    /// A task canceled with this very exception (an async method that throws an <see cref="OperationCanceledException"/>
    /// ends canceled and keeps it; a completion source could only make a new one).
    /// </summary>
#pragma warning disable CS1998 // The method throws synchronously on purpose.
    private static async Task<T> Canceled<T>(OperationCanceledException exception)
#pragma warning restore CS1998
    {
        ExceptionDispatchInfo.Capture(exception).Throw();
        return default!;
    }
}
