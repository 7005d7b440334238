"""make token against a deployed stage: chatmod cannot mint one, so it says how to get one."""

from __future__ import annotations

from tools import bearer_token


def test_given_a_deployed_stage_then_it_names_the_user_pool_and_the_moderators_group(
    capsys, monkeypatch
):
    monkeypatch.setattr(
        bearer_token,
        "_stack_outputs",
        lambda stage: {"UserPoolId": "eu-west-1_abc", "UserPoolClientId": "client123"},
    )

    assert bearer_token.main(["--user", "carol", "--stage", "prod"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""  # no token on stdout: `$(make -s token)` stays empty
    assert "chatmod-prod" in captured.err
    assert "eu-west-1_abc" in captured.err
    assert "client123" in captured.err
    assert "--group-name moderators" in captured.err
