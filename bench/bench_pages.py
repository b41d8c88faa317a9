"""Server time of the pages everyone opens all day, with the demo shop: start page and order list."""
from common import demo_app, p95, report, timed


def main():
    app = demo_app()
    client = app.test_client()
    client.post('/login', data={'username': 'advisor', 'password': 'servicebay'})
    report('home_page_p95', p95(timed(lambda: client.get('/'), 200)), 'ms', '<', 50)
    report('order_list_p95', p95(timed(lambda: client.get('/orders'), 200)), 'ms', '<', 100)


if __name__ == '__main__':
    main()
