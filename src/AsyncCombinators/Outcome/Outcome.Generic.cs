using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
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
/// An outcome is the size of one reference. One read from a task (<c>GetOutcome</c>, <c>GatherOutcomes</c>) refers to that
/// task and reads its value or cancellation from it when asked, so it keeps the task reachable; a fault is read (and so
/// observed) once, when the outcome is made.
/// Obtain one with <see cref="OutcomeExtensions.GetOutcome{T}(Task{T})"/> or from <see cref="Async.GatherOutcomes{T}(System.Collections.Generic.IEnumerable{Task{T}})"/>.
/// </remarks>
/// <example>
/// <code>
/// Outcome&lt;int&gt;[] outcomes = await Async.GatherOutcomes(tasks);
/// foreach (Outcome&lt;int&gt; o in outcomes)
/// {
///     Console.WriteLine(o.IsSuccess ? $"value {o.Value}" : $"failed: {o.Exception.Message}");
/// }
/// </code>
/// </example>
[StructLayout(LayoutKind.Auto)]
public readonly struct Outcome<T> : IEquatable<Outcome<T>>
{
    /// <summary>
    /// How it ended, in one reference (see <see cref="Internal.OutcomeSource"/>), so that an outcome is as small as a
    /// reference and an array of outcomes stays off the large object heap longer than one of value-and-state pairs would.
    /// </summary>
    private readonly object? _source;

    private Outcome(object? source) => _source = source;

    /// <summary>Gets a value indicating whether the operation produced a value.</summary>
    [MemberNotNullWhen(false, nameof(Exception))]
    public bool IsSuccess => _source is Task<T> task ? task.IsSucceeded() : OutcomeSource.GetState(_source) == OutcomeState.Success;

    /// <summary>Gets a value indicating whether the operation failed with an exception other than a cancellation.</summary>
    [MemberNotNullWhen(true, nameof(Exception))]
    public bool IsFaulted => OutcomeSource.GetState(_source) == OutcomeState.Faulted;

    /// <summary>Gets a value indicating whether the operation was canceled.</summary>
    [MemberNotNullWhen(true, nameof(Exception))]
    public bool IsCanceled => OutcomeSource.GetState(_source) == OutcomeState.Canceled;

    /// <summary>Gets the value of a successful operation (asyncio <c>task.result()</c>).</summary>
    /// <exception cref="Exception">
    /// The captured exception when the operation faulted, rethrown with its original type and stack trace;
    /// an <see cref="OperationCanceledException"/> when it was canceled.
    /// </exception>
    public T Value
    {
        get
        {
            if (!TryGetValue(out T? value))
            {
                OutcomeSource.Throw(_source);
            }

            return value;
        }
    }

    /// <summary>
    /// Gets the exception of a failed operation (asyncio <c>task.exception()</c>): <see langword="null"/> on success,
    /// the exception on a fault (the first inner exception of a task that faulted with several), and an
    /// <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    public Exception? Exception => OutcomeSource.GetException(_source);

    /// <summary>The completed task this outcome reads, if it reads one.</summary>
    internal Task? SourceTask => _source as Task;

    /// <summary>Gets the value when the operation succeeded.</summary>
    /// <param name="value">The value on success; otherwise <c>default</c>.</param>
    /// <returns><see langword="true"/> when the operation succeeded.</returns>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        object? source = _source;
        if (source is Task<T> typed)
        {
            // The common case first: an outcome read from its task (one type check).
            bool succeeded = typed.IsSucceeded();
            value = succeeded ? typed.Result : default!;
            return succeeded;
        }

        switch (source)
        {
            case null:
                value = default!;
                return true;
            case System.Exception:
                value = default!;
                return false;
            case ValueBox box:
                value = box.Value;
                return true;
            default:
                value = (T)source;
                return true;
        }
    }

    /// <summary>Converts to the untyped <see cref="Outcome"/>, which does not give the value.</summary>
    /// <returns>An outcome in the same state with the same exception.</returns>
    public Outcome ToOutcome() => new(_source);

    /// <summary>Converts to the untyped <see cref="Outcome"/>, which does not give the value.</summary>
    /// <param name="outcome">The outcome to convert.</param>
    public static implicit operator Outcome(Outcome<T> outcome) => outcome.ToOutcome();

    /// <summary>Describes the outcome: <c>Success(value)</c>, <c>Faulted(Type: message)</c> or <c>Canceled</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        TryGetValue(out T? value) ? $"Success({value})" : OutcomeSource.Describe(_source);

    /// <summary>Compares two outcomes (see <see cref="Equals(Outcome{T})"/>).</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(Outcome<T> left, Outcome<T> right) => left.Equals(right);

    /// <summary>Compares two outcomes (see <see cref="Equals(Outcome{T})"/>).</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Outcome<T> left, Outcome<T> right) => !left.Equals(right);

    /// <summary>
    /// Whether <paramref name="other"/> is the same outcome: two successes with equal values (by
    /// <see cref="EqualityComparer{T}.Default"/>), however each was made; two faults with the same exception; or the same
    /// cancellation (with the same exception, or read from the same task).
    /// </summary>
    /// <param name="other">The outcome to compare with.</param>
    /// <returns>Whether the outcomes are equal.</returns>
    public bool Equals(Outcome<T> other)
    {
        if (ReferenceEquals(_source, other._source))
        {
            return true;
        }

        bool succeeded = TryGetValue(out T? value);
        if (succeeded != other.TryGetValue(out T? otherValue))
        {
            return false;
        }

        return succeeded ? EqualityComparer<T>.Default.Equals(value!, otherValue!) : OutcomeSource.SameFailure(_source, other._source);
    }

    /// <inheritdoc cref="Equals(Outcome{T})"/>
    /// <param name="obj">The object to compare with.</param>
    public override bool Equals(object? obj) => obj is Outcome<T> other && Equals(other);

    /// <summary>A hash code consistent with <see cref="Equals(Outcome{T})"/>.</summary>
    /// <returns>The value's hash code on success; otherwise the failure's.</returns>
    public override int GetHashCode() =>
        TryGetValue(out T? value) ? EqualityComparer<T>.Default.GetHashCode(value!) : OutcomeSource.GetHashCode(_source);

    /// <summary>A success with <paramref name="value"/>.</summary>
    internal static Outcome<T> FromValue(T value) =>
        // A value that could be read as another kind of source (a task or an exception) is boxed. (No value can be a
        // ValueBox: the type is private to this struct, which never hands one out.)
        new(value is Task or System.Exception ? new ValueBox(value) : value);

    /// <summary>A failure: canceled for an <see cref="OperationCanceledException"/>, faulted otherwise.</summary>
    internal static Outcome<T> FromExceptionCore(System.Exception exception) => new(exception);

    /// <summary>
    /// The outcome of <paramref name="task"/>, which may still be pending: it is read when the outcome is, so it must have
    /// completed by then. Nothing is read now; a fault is not marked observed.
    /// </summary>
    internal static Outcome<T> OfTask(Task<T> task) => new(task);

    /// <summary>The outcome of a completed task (see <see cref="OutcomeSource.FromCompletedTask"/>).</summary>
    /// <exception cref="InvalidOperationException"><paramref name="task"/> has not completed.</exception>
    internal static Outcome<T> FromCompletedTask(Task<T> task) => new(OutcomeSource.FromCompletedTask(task));

    /// <summary>A value that would otherwise read as another kind of source.</summary>
    private sealed class ValueBox
    {
        public ValueBox(T value) => Value = value;

        public T Value { get; }
    }
}
