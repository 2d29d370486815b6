using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

/// <summary>
/// How an operation that produces a <typeparamref name="T"/> ended: with a value, a fault or a cancellation.
/// The typed twin of asyncio's <c>task.result()</c> / <c>task.exception()</c> pair.
/// </summary>
/// <typeparam name="T">The type of the value.</typeparam>
/// <remarks>
/// Exactly one of <see cref="IsSuccess"/>, <see cref="IsFaulted"/> and <see cref="IsCanceled"/> is <see langword="true"/>.
/// <c>default(Outcome&lt;T&gt;)</c> is a success whose value is <c>default(T)</c>.
/// Obtain one with <see cref="OutcomeExtensions.GetOutcome{T}(Task{T})"/> or from <see cref="Async.GatherOutcomes{T}(System.Collections.Generic.IEnumerable{Task{T}})"/>.
/// </remarks>
/// <example>
/// <code>
/// Outcome&lt;int&gt;[] outcomes = await Async.GatherOutcomes(tasks);
/// foreach (Outcome&lt;int&gt; o in outcomes)
/// {
///     Console.WriteLine(o.IsSuccess ? $"value {o.Value}" : $"failed: {o.Exception!.Message}");
/// }
/// </code>
/// </example>
[StructLayout(LayoutKind.Auto)]
public readonly struct Outcome<T>
{
    private readonly T _value;
    private readonly object? _error;
    private readonly OutcomeState _state;

    internal Outcome(T value)
    {
        _value = value;
        _error = null;
        _state = OutcomeState.Success;
    }

    internal Outcome(OutcomeState state, object error)
    {
        _value = default!;
        _error = error;
        _state = state;
    }

    /// <summary>Gets a value indicating whether the operation produced a value.</summary>
    public bool IsSuccess => _state == OutcomeState.Success;

    /// <summary>Gets a value indicating whether the operation failed with an exception other than a cancellation.</summary>
    public bool IsFaulted => _state == OutcomeState.Faulted;

    /// <summary>Gets a value indicating whether the operation was canceled.</summary>
    public bool IsCanceled => _state == OutcomeState.Canceled;

    /// <summary>Gets the value of a successful operation (asyncio <c>task.result()</c>).</summary>
    /// <exception cref="Exception">
    /// The captured exception when the operation faulted, rethrown with its original type and stack trace;
    /// an <see cref="OperationCanceledException"/> when it was canceled.
    /// </exception>
    public T Value
    {
        get
        {
            if (_state != OutcomeState.Success)
            {
                OutcomeError.Throw(_error);
            }

            return _value;
        }
    }

    /// <summary>
    /// Gets the exception of a failed operation (asyncio <c>task.exception()</c>): <see langword="null"/> on success,
    /// the exception on a fault (the first inner exception of a task that faulted with several), and an
    /// <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    public Exception? Exception => OutcomeError.GetException(_state, _error);

    /// <summary>Gets the value when the operation succeeded.</summary>
    /// <param name="value">The value on success; otherwise <c>default</c>.</param>
    /// <returns><see langword="true"/> when the operation succeeded.</returns>
    public bool TryGetValue(out T value)
    {
        value = _value;
        return _state == OutcomeState.Success;
    }

    /// <summary>Converts to the untyped <see cref="Outcome"/>, dropping the value.</summary>
    /// <returns>An outcome in the same state with the same exception.</returns>
    public Outcome ToOutcome() => new(_state, _error);

    /// <summary>Converts to the untyped <see cref="Outcome"/>, dropping the value.</summary>
    /// <param name="outcome">The outcome to convert.</param>
    public static implicit operator Outcome(Outcome<T> outcome) => outcome.ToOutcome();

    /// <summary>Describes the outcome: <c>Success(value)</c>, <c>Faulted(Type: message)</c> or <c>Canceled</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        _state == OutcomeState.Success ? $"Success({_value})" : OutcomeError.Describe(_state, _error);

    internal static Outcome<T> FromCompletedTask(Task<T> task)
    {
        if (task.IsSucceeded())
        {
            // The common case first, with one status check.
            return new Outcome<T>(task.Result);
        }

        switch (task.Status)
        {
            case TaskStatus.Faulted:
                return new Outcome<T>(OutcomeState.Faulted, task.Exception!.InnerExceptions[0]);
            case TaskStatus.Canceled:
                return new Outcome<T>(OutcomeState.Canceled, task);
            default:
                ThrowHelper.ThrowInvalidOperation("The task has not completed yet (asyncio InvalidStateError): an outcome exists only for a completed task.");
                return default;
        }
    }
}
