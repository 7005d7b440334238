"""make redrive: DLQ messages go back to the ingest queue, counted and bounded."""

from __future__ import annotations

import json

import pytest

from tools.redrive import redrive


@pytest.fixture
def queues(aws):
    sqs = aws.client("sqs")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    ingest = sqs.create_queue(QueueName="ingest")["QueueUrl"]
    return sqs, dlq, ingest


def bodies(sqs, url):
    found = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages"):
        for message in batch:
            found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_moves_every_message_with_its_body_and_attributes(queues):
    # Given 23 Ably envelopes in the DLQ, one with a message attribute
    sqs, dlq, ingest = queues
    envelopes = [json.dumps({"messages": [{"id": f"m{n}"}]}) for n in range(23)]
    for n, body in enumerate(envelopes):
        extra = (
            {"MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}
            if n == 0
            else {}
        )
        sqs.send_message(QueueUrl=dlq, MessageBody=body, **extra)
    lines: list[str] = []

    # When they are redriven
    result = redrive(sqs, source_url=dlq, target_url=ingest, wait_seconds=0, out=lines.append)

    # Then all 23 are in the ingest queue, none in the DLQ, and the count is printed
    assert (result.moved, result.failed) == (23, 0)
    moved = bodies(sqs, ingest)
    assert sorted(m["Body"] for m in moved) == sorted(envelopes)
    assert bodies(sqs, dlq) == []
    assert lines == ["moved 23 message(s) to the ingest queue"]
    (with_attributes,) = [m for m in moved if m.get("MessageAttributes")]
    assert with_attributes["Body"] == envelopes[0]
    assert with_attributes["MessageAttributes"]["k"]["StringValue"] == "v"


def test_stops_at_the_limit(queues):
    sqs, dlq, ingest = queues
    for n in range(15):
        sqs.send_message(QueueUrl=dlq, MessageBody=f"m{n}")

    result = redrive(sqs, source_url=dlq, target_url=ingest, limit=12, wait_seconds=0, out=print)

    assert result.moved == 12
    assert len(bodies(sqs, ingest)) == 12
    assert len(bodies(sqs, dlq)) == 3


def test_an_empty_dlq_moves_nothing(queues):
    sqs, dlq, ingest = queues

    result = redrive(sqs, source_url=dlq, target_url=ingest, wait_seconds=0, out=print)

    assert (result.moved, result.failed) == (0, 0)


def test_a_message_that_cannot_be_sent_stays_in_the_dlq(queues):
    # Given the ingest queue refuses one message of the batch
    sqs, dlq, ingest = queues
    for n in range(3):
        sqs.send_message(QueueUrl=dlq, MessageBody=f"m{n}")
    send = sqs.send_message_batch

    def refuse_first(**request):
        answer = send(QueueUrl=request["QueueUrl"], Entries=request["Entries"][1:])
        answer.setdefault("Failed", []).append(
            {"Id": request["Entries"][0]["Id"], "SenderFault": False, "Code": "x"}
        )
        return answer

    sqs.send_message_batch = refuse_first

    # When redriving (bounded: the refused message reappears after its visibility timeout)
    result = redrive(sqs, source_url=dlq, target_url=ingest, limit=3, wait_seconds=0, out=print)

    # Then it is counted as failed and not deleted from the DLQ
    assert (result.moved, result.failed) == (2, 1)
    # the DLQ still holds it (invisible until its visibility timeout ends)
    attributes = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesNotVisible"]) == 1


def test_make_redrive_moves_the_stacks_dlq_into_its_ingest_queue(aws, capsys):
    # Given the deployed stage's DLQ holds two messages
    from tools.redrive import main
    from tools.stage import stack_outputs

    outputs = stack_outputs("dev", aws.client("cloudformation"))
    sqs = aws.client("sqs")
    for n in range(2):
        sqs.send_message(QueueUrl=outputs["DeadLetterQueueUrl"], MessageBody=f"m{n}")

    # When `make redrive STAGE=dev` runs (dry run first)
    assert main(["--stage", "dev", "--dry-run"]) == 0
    assert "about 2 message(s)" in capsys.readouterr().out
    assert main(["--stage", "dev"]) == 0

    # Then they are in the ingest queue
    assert "moved 2 message(s)" in capsys.readouterr().out
    assert len(bodies(sqs, outputs["IngestQueueUrl"])) == 2
