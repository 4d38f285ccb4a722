def test_start_page_in_chinese_by_default(client):
    """No language chosen: the page is marked and written in Chinese, with no English left over."""
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in page
    for chinese in ("反映食品、药品或产品质量问题", "我要投诉举报", "查询投诉举报", "已经提交过？"):
        assert chinese in page
    for english in ("Report a food, drug or product quality problem", "File a report", "Check a report"):
        assert english not in page
