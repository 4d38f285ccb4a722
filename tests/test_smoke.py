def test_start_page_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
